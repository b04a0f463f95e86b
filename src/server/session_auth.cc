#include "server/session_auth.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "ossl/random.h"
#include "server/api_util.h"
#include "store/account_rules.h"

namespace wott::server {
namespace {

constexpr size_t kSecretBytes = 32;

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr char kCookieAttributes[] = "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=";

}  // namespace

std::optional<std::string_view> SessionCookie(const net::HttpRequest& request) {
  std::optional<std::string_view> field = request.headers.Get("Cookie");
  if (!field) return std::nullopt;
  std::string_view rest = *field;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == kSessionCookieName) {
      return Trim(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::string SessionCookieHeader(std::string_view secret, Duration max_age) {
  return std::string(kSessionCookieName) + "=" + std::string(secret) + kCookieAttributes +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_age).count());
}

std::string ClearedSessionCookieHeader() {
  return std::string(kSessionCookieName) + "=" + kCookieAttributes + "0";
}

Result<std::string> NewSessionSecret() { return ossl::RandomHex(kSecretBytes); }

Result<store::SessionRecord> AuthenticateSession(CaService& ca, const net::HttpRequest& request) {
  std::optional<std::string_view> secret = SessionCookie(request);
  // Only secrets we could have issued reach the registry.
  if (!secret || secret->size() != 2 * kSecretBytes || !IsLowerHex(*secret)) {
    return store::NoSession();
  }
  const std::string hash = CaService::HashToken(*secret);
  const TimePoint now = ca.clock().Now();
  ASSIGN_OR_RETURN(store::SessionRecord session, ca.registry().FindSession(hash, now));
  if (now - session.last_used_at >= kSessionTouchInterval) {
    // Best effort: a failed touch does not fail the request it was made for.
    Status touched = ca.registry().TouchSession(hash, now);
    if (!touched.ok()) spdlog::warn("session last-use update failed: {}", touched.ToString());
  }
  return session;
}

Status CheckCsrf(const net::HttpRequest& request, const store::SessionRecord& session) {
  if (request.method == "GET" || request.method == "HEAD") return Status::Ok();
  std::optional<std::string_view> token = request.headers.Get(kCsrfHeader);
  if (!token || !ossl::ConstantTimeEquals(Trim(*token), session.csrf_token)) {
    return PermissionDenied("missing or wrong X-CSRF-Token for this session");
  }
  return Status::Ok();
}

net::HttpResponse SessionAuthError(const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied) {
    return net::ErrorResponse(403, "csrf_failed", status.message());
  }
  return ErrorFor(status);
}

std::string SessionBody(const store::SessionRecord& session) {
  nlohmann::json body = {{"user", {{"name", session.user}}},
                         {"csrf_token", session.csrf_token},
                         {"expires_at", FormatRfc3339(session.expires_at)}};
  return body.dump() + "\n";
}

}  // namespace wott::server
