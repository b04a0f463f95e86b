// /v1/admin/api-tokens: the Bearer tokens of the admin API itself (list, create, revoke).
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/admin_render.h"
#include "server/enrollment_tokens.h"

namespace wott::server {
namespace {

// The token `id`, rendered. kNotFound when unknown.
Result<nlohmann::json> RenderApiToken(CaService& ca, std::string_view id) {
  ASSIGN_OR_RETURN(std::vector<store::ApiTokenRecord> tokens, ca.registry().ListApiTokens());
  for (const store::ApiTokenRecord& token : tokens) {
    if (token.id == id) return ApiTokenToJson(token, ca.clock().Now());
  }
  return NotFound("unknown API token");
}

Result<nlohmann::json> ListApiTokens(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {}));
  ASSIGN_OR_RETURN(std::vector<store::ApiTokenRecord> tokens, ca.registry().ListApiTokens());
  nlohmann::json out = nlohmann::json::array();
  for (const store::ApiTokenRecord& token : tokens) {
    out.push_back(ApiTokenToJson(token, ca.clock().Now()));
  }
  return nlohmann::json{{"api_tokens", std::move(out)}};
}

Result<nlohmann::json> CreateApiToken(CaService& ca, const net::HttpRequest& request,
                                      const std::string& actor) {
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(request));
  RETURN_IF_ERROR(CheckJsonFields(body, {"name"}));
  ASSIGN_OR_RETURN(std::string name, StringField(body, "name", /*required=*/true));
  ASSIGN_OR_RETURN(CreatedToken created,
                   server::CreateApiToken(ca.registry(), name, actor, ca.clock()));
  ASSIGN_OR_RETURN(nlohmann::json out, RenderApiToken(ca, created.id));
  out["token"] = created.token;
  return out;
}

Result<nlohmann::json> RevokeApiToken(CaService& ca, const net::HttpRequest& request,
                                      const std::string& actor) {
  std::string_view id = request.PathParam("id");
  RETURN_IF_ERROR(ca.registry().RevokeApiToken(id, actor, ca.clock().Now()));
  return RenderApiToken(ca, id);
}

}  // namespace

net::HttpResponse HandleAdminListApiTokens(CaService& ca, const net::HttpRequest& request,
                                           const std::string&) {
  return JsonOrError(ListApiTokens(ca, request));
}

net::HttpResponse HandleAdminCreateApiToken(CaService& ca, const net::HttpRequest& request,
                                            const std::string& actor) {
  return JsonOrError(CreateApiToken(ca, request, actor), 201);
}

net::HttpResponse HandleAdminRevokeApiToken(CaService& ca, const net::HttpRequest& request,
                                            const std::string& actor) {
  return JsonOrError(RevokeApiToken(ca, request, actor));
}

}  // namespace wott::server
