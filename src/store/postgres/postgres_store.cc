// Opening the PostgreSQL registry, its migrations, and the token, API-token, event and counter
// operations. Device and certificate operations are in postgres_devices.cc.
#include "store/postgres/postgres_store.h"

#include <pqxx/row>

#include "store/migrations/postgres_migrations.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store {
namespace postgres {
namespace {

// Any 64-bit constant works; every wott replica must use the same one.
constexpr int64_t kMigrationLockKey = 0x776f74745f6d6967;  // "wott_mig"

Status MigrateIn(pqxx::transaction_base& tx, TimePoint now) {
  // Held until this transaction ends: a second replica waits here, then sees the result.
  Exec(tx, "SELECT pg_advisory_xact_lock($1)", {P(kMigrationLockKey)});
  bool has_table = !Exec(tx, "SELECT to_regclass('schema_migrations')")[0][0].is_null();
  if (!has_table) {
    int64_t others = Exec(tx,
                          "SELECT count(*) FROM information_schema.tables "
                          "WHERE table_schema = current_schema()")[0][0]
                         .as<int64_t>();
    if (others > 0) {
      return FailedPrecondition(
          "the registry database holds another application's tables (no wott schema); "
          "use an empty database");
    }
    Exec(tx,
         "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
         "applied_at BIGINT NOT NULL)");
  }
  int64_t current =
      Exec(tx, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0].as<int64_t>();
  int latest = std::size(kPostgresMigrations) == 0
                   ? 0
                   : kPostgresMigrations[std::size(kPostgresMigrations) - 1].version;
  if (current > latest) {
    return FailedPrecondition("the registry database has schema version " +
                              std::to_string(current) + ", newer than this binary supports (" +
                              std::to_string(latest) +
                              "); upgrade wott-server or restore a backup");
  }
  for (const Migration& migration : kPostgresMigrations) {
    if (migration.version <= current) continue;
    tx.exec(std::string(migration.sql));  // several statements: the simple query protocol
    Exec(tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
         {P(int64_t{migration.version}), P(migration.name), P(ToUnixSeconds(now))});
  }
  return Status::Ok();
}

}  // namespace

Status Migrate(Pool& pool, TimePoint now) {
  return RunTx(pool, TxKind::kWrite,
               [&](pqxx::transaction_base& tx) { return MigrateIn(tx, now); });
}

// ---- Enrollment tokens ----

Result<EnrollmentTokenRecord> PostgresStore::CreateEnrollmentToken(const NewEnrollmentToken& token,
                                                                   TimePoint now) {
  RETURN_IF_ERROR(ValidateNewEnrollmentToken(token, now));
  return Write([&](pqxx::transaction_base& tx) -> Result<EnrollmentTokenRecord> {
    if (Exists(tx, "SELECT 1 FROM enrollment_tokens WHERE id = $1", {P(token.id)})) {
      return AlreadyExists("an enrollment token with this ID exists");
    }
    if (Exists(tx, "SELECT 1 FROM enrollment_tokens WHERE token_hash = $1",
               {P(token.token_hash)})) {
      return AlreadyExists("an enrollment token with this hash exists");
    }
    Exec(tx,
         "INSERT INTO enrollment_tokens (id, token_hash, description, max_uses, uses_left, "
         "created_at, expires_at, created_by) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
         {P(token.id), P(token.token_hash), P(token.description), P(token.max_uses),
          P(ToUnixSeconds(now)), P(ToUnixSeconds(token.expires_at)), P(token.created_by)});
    ReplaceMap(tx, MapTable::kTokenTags, token.id, token.tags);
    InsertEvent(tx, MakeEvent(now, token.created_by, "token.create", token.id,
                              "uses=" + std::to_string(token.max_uses)));
    return std::move(*LoadTokenById(tx, token.id));
  });
}

Result<EnrollmentTokenRecord> PostgresStore::GetEnrollmentToken(std::string_view id) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<EnrollmentTokenRecord> {
    std::optional<EnrollmentTokenRecord> token = LoadTokenById(tx, id);
    if (!token) return NotFound("unknown enrollment token");
    return std::move(*token);
  });
}

Result<EnrollmentTokenRecord> PostgresStore::FindEnrollmentToken(std::string_view token_hash,
                                                                 TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<EnrollmentTokenRecord> {
    std::optional<EnrollmentTokenRecord> token = LoadTokenByHash(tx, token_hash);
    if (!token) return UnknownEnrollmentToken();
    RETURN_IF_ERROR(CheckEnrollmentTokenUsable(*token, now));
    return std::move(*token);
  });
}

Result<std::vector<EnrollmentTokenRecord>> PostgresStore::ListEnrollmentTokens(
    const TokenListOptions& options, TimePoint now) {
  RETURN_IF_ERROR(ValidatePage(options.page));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<EnrollmentTokenRecord>> {
    std::string sql = std::string("SELECT ") + kTokenColumns + " FROM enrollment_tokens t ";
    Params params;
    if (!options.include_inactive) {
      params.push_back(P(ToUnixSeconds(now)));
      sql += "WHERE t.revoked_at IS NULL AND t.expires_at > $1 AND t.uses_left > 0 ";
    }
    params.push_back(P(int64_t{options.page.limit}));
    params.push_back(P(options.page.offset));
    sql += "ORDER BY t.created_at DESC, t.id DESC LIMIT $" + std::to_string(params.size() - 1) +
           " OFFSET $" + std::to_string(params.size());
    std::vector<EnrollmentTokenRecord> tokens;
    for (const pqxx::row& row : Exec(tx, sql, params)) tokens.push_back(ReadToken(row));
    return tokens;
  });
}

Status PostgresStore::RevokeEnrollmentToken(std::string_view id, std::string_view actor,
                                            TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    std::optional<EnrollmentTokenRecord> token = LoadTokenById(tx, id, Lock::kUpdate);
    if (!token) return NotFound("unknown enrollment token");
    if (token->revoked_at) return Status::Ok();
    Exec(tx, "UPDATE enrollment_tokens SET revoked_at = $1 WHERE id = $2",
         {P(ToUnixSeconds(now)), P(id)});
    InsertEvent(tx, MakeEvent(now, actor, "token.revoke", id, ""));
    return Status::Ok();
  });
}

// ---- CRL counter ----

Result<int64_t> PostgresStore::NextCrlNumber() {
  return Write([&](pqxx::transaction_base& tx) -> Result<int64_t> {
    pqxx::result r = Exec(tx,
                          "UPDATE counters SET value = value + 1 WHERE name = 'crl_number' "
                          "RETURNING value");
    if (r.empty()) return Internal("registry database error", "crl_number counter missing");
    return r[0][0].as<int64_t>();
  });
}

// ---- Admin API tokens ----

Result<ApiTokenRecord> PostgresStore::CreateApiToken(const NewApiToken& token, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewApiToken(token, now));
  return Write([&](pqxx::transaction_base& tx) -> Result<ApiTokenRecord> {
    if (Exists(tx, "SELECT 1 FROM api_tokens WHERE id = $1", {P(token.id)})) {
      return AlreadyExists("an API token with this ID exists");
    }
    if (Exists(tx, "SELECT 1 FROM api_tokens WHERE token_hash = $1", {P(token.token_hash)})) {
      return AlreadyExists("an API token with this hash exists");
    }
    std::optional<int64_t> expires;
    if (token.expires_at) expires = ToUnixSeconds(*token.expires_at);
    Exec(tx,
         "INSERT INTO api_tokens (id, name, token_hash, created_at, expires_at, created_by) "
         "VALUES ($1, $2, $3, $4, $5, $6)",
         {P(token.id), P(token.name), P(token.token_hash), P(ToUnixSeconds(now)), P(expires),
          P(token.created_by)});
    InsertEvent(
        tx, MakeEvent(now, token.created_by, "api_token.create", token.id, "name=" + token.name));
    return std::move(*LoadApiTokenById(tx, token.id));
  });
}

Result<ApiTokenRecord> PostgresStore::FindApiTokenByHash(std::string_view token_hash,
                                                         TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("API token hash", token_hash));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<ApiTokenRecord> {
    std::optional<ApiTokenRecord> token = LoadApiTokenByHash(tx, token_hash);
    RETURN_IF_ERROR(CheckApiTokenUsable(token ? &*token : nullptr, now));
    return std::move(*token);
  });
}

Result<std::vector<ApiTokenRecord>> PostgresStore::ListApiTokens() {
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<ApiTokenRecord>> {
    std::vector<ApiTokenRecord> tokens;
    for (const pqxx::row& row :
         Exec(tx, std::string("SELECT ") + kApiTokenColumns +
                      " FROM api_tokens a ORDER BY a.created_at DESC, a.id DESC")) {
      tokens.push_back(ReadApiToken(row));
    }
    return tokens;
  });
}

Status PostgresStore::RevokeApiToken(std::string_view id, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    std::optional<ApiTokenRecord> token = LoadApiTokenById(tx, id, Lock::kUpdate);
    if (!token) return NotFound("unknown API token");
    if (token->revoked_at) return Status::Ok();
    Exec(tx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", {P(ToUnixSeconds(now)), P(id)});
    InsertEvent(tx, MakeEvent(now, actor, "api_token.revoke", id, ""));
    return Status::Ok();
  });
}

// ---- Event log ----

Result<int64_t> PostgresStore::AppendEvent(const Event& event) {
  RETURN_IF_ERROR(ValidateEvent(event));
  return Write(
      [&](pqxx::transaction_base& tx) -> Result<int64_t> { return InsertEvent(tx, event); });
}

Result<std::vector<Event>> PostgresStore::ListEvents(const EventQuery& query) {
  RETURN_IF_ERROR(ValidateLimit(query.limit));
  if (query.before_id < 0) return InvalidArgument("event cursor must not be negative");
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<Event>> {
    std::string sql = "SELECT id, time, actor, action, subject, detail FROM events WHERE TRUE";
    Params params;
    if (query.before_id != 0) {
      params.push_back(P(query.before_id));
      sql += " AND id < $" + std::to_string(params.size());
    }
    if (query.subject) {
      params.push_back(P(*query.subject));
      sql += " AND subject = $" + std::to_string(params.size());
    }
    params.push_back(P(int64_t{query.limit}));
    sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
    std::vector<Event> events;
    for (const pqxx::row& row : Exec(tx, sql, params)) {
      Event& e = events.emplace_back();
      e.id = row[0].as<int64_t>();
      e.time = FromUnixSeconds(row[1].as<int64_t>());
      e.actor = row[2].as<std::string>();
      e.action = row[3].as<std::string>();
      e.subject = row[4].as<std::string>();
      e.detail = row[5].as<std::string>();
    }
    return events;
  });
}

}  // namespace postgres

std::string RedactDatabaseUrl(std::string_view url) {
  std::string out(url);
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // A password may also be a query parameter (or a key=value conninfo string).
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    size_t value = pos + 9;
    size_t end = out.find_first_of("& ", value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const OpenOptions& options) {
  const std::string context = "opening registry database " + RedactDatabaseUrl(url);
  auto store = std::make_unique<postgres::PostgresStore>(url, options);
  Status status = postgres::Migrate(store->pool(), options.clock->Now());
  if (!status.ok()) return status.WithContext(context);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace wott::store
