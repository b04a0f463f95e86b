#include "server/admin_auth.h"

#include <spdlog/spdlog.h>

#include "server/api_util.h"
#include "server/session_auth.h"
#include "store/account_rules.h"

namespace wott::server {
namespace {

// Tokens we issue are ~70 characters; anything much longer is not one of ours.
constexpr size_t kMaxTokenBytes = 512;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The credential of "Bearer <token>" (scheme case-insensitive, RFC 9110 11.1).
Result<std::string_view> BearerToken(const net::HttpRequest& request) {
  std::optional<std::string_view> field = request.headers.Get("Authorization");
  if (!field) {
    return Unauthenticated("the admin API needs an API token (Authorization: Bearer <token>)");
  }
  std::string_view value = Trim(*field);
  constexpr std::string_view kScheme = "Bearer";
  if (value.size() <= kScheme.size() || !IsSpace(value[kScheme.size()]) ||
      !net::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return Unauthenticated("the Authorization field must be: Bearer <token>");
  }
  std::string_view token = Trim(value.substr(kScheme.size()));
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return Unauthenticated("API token is not valid");
  }
  for (char c : token) {
    if (IsSpace(c)) return Unauthenticated("the Authorization field must be: Bearer <token>");
  }
  return token;
}

}  // namespace

Result<std::string> AuthenticateAdmin(CaService& ca, const net::HttpRequest& request) {
  // The dashboard's session cookie, when no Authorization field says otherwise.
  if (!request.headers.Has("Authorization") && SessionCookie(request)) {
    Result<store::SessionRecord> session = AuthenticateSession(ca, request);
    Status status = session.ok() ? CheckCsrf(request, *session) : session.status();
    if (!status.ok()) {
      spdlog::warn("admin session authentication failed remote={} route={}: {}",
                   request.remote_address, request.route, status.ToString());
      return status;
    }
    return store::UserActor(session->user);
  }
  Result<std::string_view> token = BearerToken(request);
  Result<store::ApiTokenRecord> record =
      token.ok() ? ca.registry().FindApiTokenByHash(CaService::HashToken(*token), ca.clock().Now())
                 : Result<store::ApiTokenRecord>(token.status());
  if (!record.ok()) {
    spdlog::warn("admin authentication failed remote={} route={}: {}", request.remote_address,
                 request.route, record.status().ToString());
    return record.status();
  }
  return "admin:" + record->id;
}

net::HttpResponse AdminAuthError(const Status& status) {
  net::HttpResponse response = SessionAuthError(status);  // 403 csrf_failed for CSRF
  if (status.code() == StatusCode::kUnauthenticated) {
    response.headers.Set("WWW-Authenticate", "Bearer realm=\"wott-admin\"");
  }
  return response;
}

}  // namespace wott::server
