#include "server/session_handlers.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "net/http.h"
#include "server/api_util.h"
#include "server/password_hash.h"
#include "server/session_auth.h"
#include "store/account_rules.h"

namespace wott::server {
namespace {

constexpr char kBadCredentials[] = "wrong user name or password";
// Rate-limit keys are cut to this length (names are at most 64 bytes).
constexpr size_t kMaxKeyBytes = 80;

bool IsJson(const net::HttpRequest& request) {
  std::optional<std::string_view> type = request.headers.Get("Content-Type");
  if (!type) return false;
  std::string_view base = type->substr(0, type->find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return net::EqualsIgnoreCase(base, "application/json");
}

net::HttpResponse NoStore(net::HttpResponse response) {
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

}  // namespace

net::HttpResponse SessionApi::Failed(std::string_view user, bool valid_name,
                                     std::string_view client, std::string_view reason) {
  const TimePoint now = ca_.clock().Now();
  limiter_.RecordFailure(user.substr(0, kMaxKeyBytes), client, now);
  store::Event event;
  event.time = now;
  event.actor = "remote:" + std::string(client);
  event.action = "user.login_failed";
  event.subject = valid_name ? std::string(user) : "";  // never arbitrary input as a subject
  event.detail = "reason=" + std::string(reason);
  Result<int64_t> appended = ca_.registry().AppendEvent(event);
  if (!appended.ok()) spdlog::warn("login failure not logged: {}", appended.status().ToString());
  spdlog::info("login failed user={} remote={} reason={}", valid_name ? user : "<invalid>", client,
               reason);
  return net::ErrorResponse(401, "invalid_credentials", kBadCredentials);
}

net::HttpResponse SessionApi::Login(const net::HttpRequest& request) {
  if (!IsJson(request)) {
    return NoStore(net::ErrorResponse(415, "unsupported_media_type",
                                      "the request body must be JSON (Content-Type: "
                                      "application/json)"));
  }
  // (Not ParseJsonObject: the media type was checked above, case-insensitively.)
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return NoStore(ErrorFor(InvalidArgument("the request body must be a JSON object")));
  }
  Result<std::string> user = StringField(body, "username", true);
  if (!user.ok()) return NoStore(ErrorFor(user.status()));
  Result<std::string> password = StringField(body, "password", true);
  if (!password.ok()) return NoStore(ErrorFor(password.status()));
  const std::string client = ClientHost(request.remote_address);

  if (std::optional<Duration> wait = limiter_.Check(std::string_view(*user).substr(0, kMaxKeyBytes),
                                                    client, ca_.clock().Now())) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait).count();
    net::HttpResponse r = net::ErrorResponse(
        429, "too_many_attempts",
        "too many failed logins; try again in " + std::to_string(seconds) + " seconds");
    r.headers.Set("Retry-After", std::to_string(seconds));
    spdlog::warn("login refused (rate limit) remote={}", client);
    return NoStore(std::move(r));
  }

  // Unknown and malformed names are checked against a dummy hash: same answer, same work.
  const bool valid_name = store::ValidateUserName(*user).ok();
  std::string hash = DummyPasswordHash();
  bool known = false;
  if (valid_name) {
    Result<store::UserRecord> record = ca_.registry().GetUser(*user);
    if (record.ok()) {
      hash = record->password_hash;
      known = true;
    } else if (record.status().code() != StatusCode::kNotFound) {
      return NoStore(ErrorFor(record.status()));
    }
  }
  Result<bool> match = VerifyPassword(*password, hash);
  if (!match.ok() && match.status().code() == StatusCode::kUnavailable) {
    return NoStore(ErrorFor(match.status()));
  }
  if (!match.ok()) {
    spdlog::error("user {}: stored password hash unusable: {}", *user, match.status().ToString());
  }
  if (!known) return NoStore(Failed(*user, valid_name, client, "unknown_user"));
  if (!match.ok() || !*match) return NoStore(Failed(*user, valid_name, client, "wrong_password"));

  Result<std::string> secret = NewSessionSecret();
  if (!secret.ok()) return NoStore(ErrorFor(secret.status()));
  Result<std::string> csrf = NewSessionSecret();
  if (!csrf.ok()) return NoStore(ErrorFor(csrf.status()));
  const TimePoint now = ca_.clock().Now();
  store::NewSession session;
  session.secret_hash = CaService::HashToken(*secret);
  session.user = *user;
  session.csrf_token = *csrf;
  session.expires_at = now + ca_.session_lifetime();
  session.client = client;
  Result<store::SessionRecord> created = ca_.registry().CreateSession(session, now);
  if (!created.ok()) return NoStore(ErrorFor(created.status()));
  limiter_.RecordSuccess(std::string_view(*user).substr(0, kMaxKeyBytes));
  spdlog::info("login user={} remote={}", *user, client);
  net::HttpResponse r = net::HttpResponse::Json(200, SessionBody(*created));
  r.headers.Set("Set-Cookie", SessionCookieHeader(*secret, ca_.session_lifetime()));
  return NoStore(std::move(r));
}

net::HttpResponse SessionApi::Get(const net::HttpRequest& request) {
  Result<store::SessionRecord> session = AuthenticateSession(ca_, request);
  if (!session.ok()) return NoStore(SessionAuthError(session.status()));
  return NoStore(net::HttpResponse::Json(200, SessionBody(*session)));
}

net::HttpResponse SessionApi::Logout(const net::HttpRequest& request) {
  Result<store::SessionRecord> session = AuthenticateSession(ca_, request);
  if (!session.ok()) return NoStore(SessionAuthError(session.status()));
  Status csrf = CheckCsrf(request, *session);
  if (!csrf.ok()) return NoStore(SessionAuthError(csrf));
  Status deleted = ca_.registry().DeleteSession(session->secret_hash, ca_.clock().Now());
  // Ended meanwhile (another tab logged out): the outcome the caller wants anyway.
  if (!deleted.ok() && deleted.code() != StatusCode::kUnauthenticated) {
    return NoStore(ErrorFor(deleted));
  }
  net::HttpResponse r;
  r.status = 204;
  r.headers.Set("Set-Cookie", ClearedSessionCookieHeader());
  return NoStore(std::move(r));
}

Status AddSessionRoutes(net::Router& router, CaService& ca) {
  auto api = std::make_shared<SessionApi>(ca);
  RETURN_IF_ERROR(router.Add("POST", "/v1/session",
                             [api](const net::HttpRequest& r) { return api->Login(r); }));
  RETURN_IF_ERROR(
      router.Add("GET", "/v1/session", [api](const net::HttpRequest& r) { return api->Get(r); }));
  RETURN_IF_ERROR(router.Add("DELETE", "/v1/session",
                             [api](const net::HttpRequest& r) { return api->Logout(r); }));
  return Status::Ok();
}

}  // namespace wott::server
