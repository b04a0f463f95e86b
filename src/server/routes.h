// Every route of wott-server's HTTPS API, listed in one function.
#ifndef WOTT_SERVER_ROUTES_H_
#define WOTT_SERVER_ROUTES_H_

#include "base/status.h"
#include "net/router.h"
#include "server/ca_service.h"

namespace wott::server {

// Adds all routes to `router`. `ca` must outlive the router.
Status AddRoutes(net::Router& router, CaService& ca);

}  // namespace wott::server

#endif  // WOTT_SERVER_ROUTES_H_
