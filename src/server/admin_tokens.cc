// /v1/admin/tokens: enrollment tokens (list, create, revoke).
#include <algorithm>

#include "base/encoding.h"
#include "pki/certificate.h"
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/admin_render.h"
#include "server/enrollment_tokens.h"

namespace wott::server {
namespace {

Result<TokenSpec> ParseTokenSpec(const nlohmann::json& body) {
  RETURN_IF_ERROR(CheckJsonFields(body, {"uses", "ttl", "tags", "description"}));
  TokenSpec spec;
  if (auto uses = body.find("uses"); uses != body.end() && !uses->is_null()) {
    // get<int64_t> of a huge unsigned wraps negative, which the range check refuses.
    if (!uses->is_number_integer()) return InvalidArgument("field 'uses' must be an integer");
    spec.uses = uses->get<int64_t>();
  }
  ASSIGN_OR_RETURN(std::string ttl, StringField(body, "ttl", false));
  if (!ttl.empty()) {
    Result<Duration> parsed = ParseDuration(ttl);
    if (!parsed.ok()) return parsed.status().WithContext("field 'ttl'");
    spec.ttl = *parsed;
  }
  ASSIGN_OR_RETURN(spec.tags, StringMapField(body, "tags", false));
  ASSIGN_OR_RETURN(spec.description, StringField(body, "description", false));
  return spec;
}

// The URL devices reach this server at: the configured public URL, else the Host the
// operator used (only when it looks like a host name, port or IP literal).
std::string ServerUrl(const CaService& ca, const net::HttpRequest& request) {
  if (!ca.config().public_url.empty()) return ca.config().public_url;
  std::string_view host = request.headers.Get("Host").value_or("");
  bool plain =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      });
  return plain ? "https://" + std::string(host) : "https://<server>";
}

// What `wott-agent enroll` needs besides the token: where, and which root to pin.
Result<nlohmann::json> EnrollHint(const CaService& ca, const net::HttpRequest& request,
                                  const std::string& token) {
  ASSIGN_OR_RETURN(std::vector<pki::Certificate> anchors,
                   pki::ParseCertificateChainPem(ca.ca_bundle()));
  if (anchors.empty()) return Internal("internal error", "empty CA bundle");
  std::string url = ServerUrl(ca, request);
  std::string fingerprint = pki::Sha256Fingerprint(anchors.front().get());
  return nlohmann::json{{"server_url", url},
                        {"ca_fingerprint", fingerprint},
                        {"command", "wott-agent enroll --server " + url + " --ca-fingerprint " +
                                        fingerprint + " --token " + token}};
}

Result<nlohmann::json> CreateToken(CaService& ca, const net::HttpRequest& request,
                                   const std::string& actor) {
  ASSIGN_OR_RETURN(nlohmann::json body, OptionalJsonObject(request));
  ASSIGN_OR_RETURN(TokenSpec spec, ParseTokenSpec(body));
  ASSIGN_OR_RETURN(CreatedToken created,
                   CreateEnrollmentToken(ca.registry(), spec, actor, ca.clock()));
  nlohmann::json out = EnrollmentTokenToJson(created.record, ca.clock().Now());
  out["token"] = created.token;
  ASSIGN_OR_RETURN(out["enroll"], EnrollHint(ca, request, created.token));
  return out;
}

Result<nlohmann::json> ListTokens(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {"all", "offset", "limit"}));
  store::TokenListOptions options;
  options.include_inactive = false;
  options.page.limit = kDefaultPageLimit;
  for (const auto& [name, value] : params) {
    if (name == "all") {
      if (value != "true" && value != "false") return InvalidArgument("all must be true or false");
      options.include_inactive = value == "true";
    } else if (name == "offset") {
      ASSIGN_OR_RETURN(options.page.offset, ParseCount("offset", value));
    } else if (name == "limit") {
      ASSIGN_OR_RETURN(options.page.limit, ParseLimit("limit", value));
    }
  }
  TimePoint now = ca.clock().Now();
  ASSIGN_OR_RETURN(std::vector<store::EnrollmentTokenRecord> tokens,
                   ca.registry().ListEnrollmentTokens(options, now));
  nlohmann::json out = nlohmann::json::array();
  for (const store::EnrollmentTokenRecord& token : tokens) {
    out.push_back(EnrollmentTokenToJson(token, now));
  }
  return nlohmann::json{{"tokens", std::move(out)}};
}

Result<nlohmann::json> RevokeToken(CaService& ca, const net::HttpRequest& request,
                                   const std::string& actor) {
  std::string_view id = request.PathParam("id");
  RETURN_IF_ERROR(ca.registry().RevokeEnrollmentToken(id, actor, ca.clock().Now()));
  ASSIGN_OR_RETURN(store::EnrollmentTokenRecord token, ca.registry().GetEnrollmentToken(id));
  return EnrollmentTokenToJson(token, ca.clock().Now());
}

}  // namespace

net::HttpResponse HandleAdminListTokens(CaService& ca, const net::HttpRequest& request,
                                        const std::string&) {
  return JsonOrError(ListTokens(ca, request));
}

net::HttpResponse HandleAdminCreateToken(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor) {
  return JsonOrError(CreateToken(ca, request, actor), 201);
}

net::HttpResponse HandleAdminRevokeToken(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor) {
  return JsonOrError(RevokeToken(ca, request, actor));
}

}  // namespace wott::server
