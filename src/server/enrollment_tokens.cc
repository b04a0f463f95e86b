#include "server/enrollment_tokens.h"

#include "ossl/random.h"
#include "server/ca_service.h"

namespace wott::server {
namespace {

struct Secret {
  std::string id;
  std::string token;
};

// 48 bits of public id, 192 bits of secret.
Result<Secret> NewSecret(std::string_view prefix) {
  ASSIGN_OR_RETURN(std::string id, ossl::RandomHex(6));
  ASSIGN_OR_RETURN(std::string secret, ossl::RandomHex(24));
  return Secret{std::string(prefix) + id, std::string(prefix) + id + "." + secret};
}

}  // namespace

Result<CreatedToken> CreateEnrollmentToken(store::Store& store, const TokenSpec& spec,
                                           std::string_view actor, const Clock& clock) {
  if (spec.uses < 1 || spec.uses > 1000000) {
    return InvalidArgument("uses must be between 1 and 1000000");
  }
  if (spec.ttl <= Duration::zero()) return InvalidArgument("ttl must be positive");
  ASSIGN_OR_RETURN(Secret secret, NewSecret("et"));
  store::NewEnrollmentToken token;
  token.id = secret.id;
  token.token_hash = CaService::HashToken(secret.token);
  token.description = spec.description;
  token.max_uses = spec.uses;
  token.expires_at = clock.Now() + spec.ttl;
  token.tags = spec.tags;
  token.created_by = std::string(actor);
  ASSIGN_OR_RETURN(store::EnrollmentTokenRecord record,
                   store.CreateEnrollmentToken(token, clock.Now()));
  return CreatedToken{secret.id, secret.token, std::move(record)};
}

Result<CreatedToken> CreateApiToken(store::Store& store, std::string_view name,
                                    std::string_view actor, const Clock& clock) {
  ASSIGN_OR_RETURN(Secret secret, NewSecret("at"));
  store::NewApiToken token;
  token.id = secret.id;
  token.name = std::string(name);
  token.token_hash = CaService::HashToken(secret.token);
  token.created_by = std::string(actor);
  RETURN_IF_ERROR(store.CreateApiToken(token, clock.Now()));
  return CreatedToken{secret.id, secret.token, {}};
}

Status ParseTagArgument(std::string_view text, store::Tags& tags) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument("invalid tag '" + std::string(text) + "' (want key=value)");
  }
  tags[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  return Status::Ok();
}

}  // namespace wott::server
