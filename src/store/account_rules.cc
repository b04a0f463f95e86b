#include "store/account_rules.h"

#include <algorithm>

#include "store/validate.h"

namespace wott::store {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsNameChar(char c) { return IsNameStart(c) || c == '.' || c == '_' || c == '-'; }
bool IsPrintable(char c) { return c > 0x20 && c < 0x7f; }

Status ValidatePrintable(std::string_view what, std::string_view text) {
  if (text.empty() || text.size() > 256 || !std::all_of(text.begin(), text.end(), IsPrintable)) {
    return InvalidArgument(std::string(what) + " must be 1-256 printable characters");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateUserName(std::string_view name) {
  if (name.empty() || name.size() > 64 || !IsNameStart(name.front()) ||
      !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return InvalidArgument(
        "user name must be 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a "
        "letter or digit");
  }
  return Status::Ok();
}

Status ValidatePasswordHash(std::string_view hash) {
  return ValidatePrintable("password hash", hash);
}

Status ValidateNewUser(const NewUser& user) {
  RETURN_IF_ERROR(ValidateUserName(user.name));
  return ValidatePasswordHash(user.password_hash);
}

Status ValidateSessionHash(std::string_view hash) {
  return ValidatePrintable("session hash", hash);
}

Status ValidateNewSession(const NewSession& session, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(session.secret_hash));
  RETURN_IF_ERROR(ValidateUserName(session.user));
  RETURN_IF_ERROR(ValidatePrintable("CSRF token", session.csrf_token));
  // The client address goes into an event's detail; the actor check is the same text rule.
  if (!ValidateActor(session.client).ok()) {
    return InvalidArgument("client address must be up to 256 bytes of text");
  }
  if (ToUnixSeconds(session.expires_at) <= ToUnixSeconds(now)) {
    return InvalidArgument("session expiry must be in the future");
  }
  return Status::Ok();
}

Status ValidateFleetCountsQuery(const FleetCountsQuery& query) {
  if (query.expiry_ranges.size() > kMaxFleetRanges) {
    return InvalidArgument("at most " + std::to_string(kMaxFleetRanges) + " expiry ranges");
  }
  for (const TimeRange& range : query.expiry_ranges) {
    if (ToUnixSeconds(range.from) >= ToUnixSeconds(range.until)) {
      return InvalidArgument("an expiry range must end after it starts");
    }
  }
  return Status::Ok();
}

Status UnknownUser() { return NotFound("unknown user"); }

Status NoSession() { return Unauthenticated("no valid session"); }

Status CheckSessionUsable(const SessionRecord* session, TimePoint now) {
  if (!session || ToUnixSeconds(now) >= ToUnixSeconds(session->expires_at)) return NoSession();
  return Status::Ok();
}

std::string UserActor(std::string_view name) { return "user:" + std::string(name); }

}  // namespace wott::store
