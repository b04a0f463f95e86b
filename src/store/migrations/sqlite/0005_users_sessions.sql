-- 0005: dashboard users and login sessions (issue 6), and two indexes for the dashboard's
-- overview counts (stale active devices, expiring current certificates of active devices).
CREATE TABLE users (
  name                TEXT PRIMARY KEY,  -- [a-z0-9][a-z0-9._-]{0,63}
  password_hash       TEXT NOT NULL,     -- encoded argon2id hash
  created_at          INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
) STRICT;

-- Sessions are found by the SHA-256 of the cookie's secret; the secret itself is never stored.
CREATE TABLE sessions (
  secret_hash  TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE INDEX devices_status_last_seen ON devices (status, last_seen);
CREATE INDEX devices_status_cert_not_after ON devices (status, cert_not_after);
