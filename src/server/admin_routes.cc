#include "server/admin_routes.h"

#include "server/admin_auth.h"
#include "server/admin_handlers.h"
#include "server/admin_overview.h"

namespace wott::server {

Status AddAdminRoutes(net::Router& router, CaService& ca) {
  // Authenticate before the handler sees anything of the request.
  auto bind = [&ca](AdminHandler handler) {
    return [&ca, handler](const net::HttpRequest& request) {
      Result<std::string> actor = AuthenticateAdmin(ca, request);
      net::HttpResponse response =
          actor.ok() ? handler(ca, request, *actor) : AdminAuthError(actor.status());
      response.headers.Set("Cache-Control", "no-store");
      return response;
    };
  };
  const struct {
    const char* method;
    const char* pattern;
    AdminHandler handler;
  } kRoutes[] = {
      {"GET", "/v1/admin/devices", HandleAdminListDevices},
      {"GET", "/v1/admin/devices/{id}", HandleAdminGetDevice},
      {"GET", "/v1/admin/devices/{id}/security", HandleAdminDeviceSecurity},
      {"GET", "/v1/admin/cves", HandleAdminListCves},
      {"DELETE", "/v1/admin/devices/{id}", HandleAdminDeleteDevice},
      {"POST", "/v1/admin/devices/{id}/revoke", HandleAdminRevokeDevice},
      {"PUT", "/v1/admin/devices/{id}/tags", HandleAdminSetTags},
      {"PUT", "/v1/admin/devices/{id}/metadata", HandleAdminSetMetadata},
      {"GET", "/v1/admin/tokens", HandleAdminListTokens},
      {"POST", "/v1/admin/tokens", HandleAdminCreateToken},
      {"DELETE", "/v1/admin/tokens/{id}", HandleAdminRevokeToken},
      {"GET", "/v1/admin/api-tokens", HandleAdminListApiTokens},
      {"POST", "/v1/admin/api-tokens", HandleAdminCreateApiToken},
      {"DELETE", "/v1/admin/api-tokens/{id}", HandleAdminRevokeApiToken},
      {"GET", "/v1/admin/events", HandleAdminListEvents},
      {"GET", "/v1/admin/overview", HandleAdminOverview},  // the dashboard's first page
      {"GET", "/v1/admin/policies", HandleAdminListPolicies},
      {"GET", "/v1/admin/policies/{name}", HandleAdminGetPolicy},
      {"PUT", "/v1/admin/policies/{name}", HandleAdminSetPolicy},
      {"DELETE", "/v1/admin/policies/{name}", HandleAdminDeletePolicy},
  };
  for (const auto& route : kRoutes) {
    RETURN_IF_ERROR(router.Add(route.method, route.pattern, bind(route.handler)));
  }
  return Status::Ok();
}

}  // namespace wott::server
