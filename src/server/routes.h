// Every route of wott-server's HTTPS API, listed in one function.
#ifndef WOTT_SERVER_ROUTES_H_
#define WOTT_SERVER_ROUTES_H_

#include <filesystem>

#include "base/status.h"
#include "net/router.h"
#include "server/ca_service.h"

namespace wott::server {

// Adds all routes to `router`. `ca` must outlive the router. The dashboard's files come
// from `web_root` when it is set, else from the copy embedded in the binary.
Status AddRoutes(net::Router& router, CaService& ca,
                 const std::filesystem::path& web_root = {});

}  // namespace wott::server

#endif  // WOTT_SERVER_ROUTES_H_
