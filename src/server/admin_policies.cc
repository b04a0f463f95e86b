// /v1/admin/policies: list, show, set (create or replace), delete trust policies.
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/policy_json.h"
#include "store/validate.h"

namespace wott::server {
namespace {

Result<nlohmann::json> ListPolicies(CaService& ca) {
  ASSIGN_OR_RETURN(std::vector<store::PolicyRecord> policies, ca.registry().ListPolicies());
  nlohmann::json list = nlohmann::json::array();
  for (const store::PolicyRecord& policy : policies) list.push_back(PolicyToJson(policy));
  return nlohmann::json{{"policies", std::move(list)}};
}

Result<nlohmann::json> GetPolicy(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(store::PolicyRecord policy, ca.registry().GetPolicy(request.PathParam("name")));
  return PolicyToJson(policy);
}

Result<nlohmann::json> SetPolicy(CaService& ca, const net::HttpRequest& request,
                                 const std::string& actor) {
  const std::string_view name = request.PathParam("name");
  RETURN_IF_ERROR(store::ValidatePolicyName(name));  // before looking at the body
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(request));
  ASSIGN_OR_RETURN(store::NewPolicy policy, ParsePolicyBody(name, body, ca.config().domain));
  ASSIGN_OR_RETURN(store::PolicyRecord stored,
                   ca.registry().PutPolicy(policy, actor, ca.clock().Now()));
  return PolicyToJson(stored);
}

}  // namespace

net::HttpResponse HandleAdminListPolicies(CaService& ca, const net::HttpRequest& request,
                                          const std::string&) {
  if (!request.query.empty()) return ErrorFor(InvalidArgument("this route takes no parameters"));
  return JsonOrError(ListPolicies(ca));
}

net::HttpResponse HandleAdminGetPolicy(CaService& ca, const net::HttpRequest& request,
                                       const std::string&) {
  return JsonOrError(GetPolicy(ca, request));
}

net::HttpResponse HandleAdminSetPolicy(CaService& ca, const net::HttpRequest& request,
                                       const std::string& actor) {
  return JsonOrError(SetPolicy(ca, request, actor));
}

net::HttpResponse HandleAdminDeletePolicy(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor) {
  Status deleted = ca.registry().DeletePolicy(request.PathParam("name"), actor, ca.clock().Now());
  if (!deleted.ok()) return ErrorFor(deleted);
  net::HttpResponse response;
  response.status = 204;
  return response;
}

}  // namespace wott::server
