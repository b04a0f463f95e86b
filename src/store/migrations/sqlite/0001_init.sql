-- 0001: the first registry schema (SQLite dialect).
-- Times are Unix seconds (INTEGER). Rows are never deleted: a deleted device keeps its row
-- (status 'deleted') and its certificates, for history, the CRL and the event log.

CREATE TABLE enrollment_tokens (
  id          TEXT PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,  -- the caller's hash of the secret; never the secret
  description TEXT NOT NULL DEFAULT '',
  max_uses    INTEGER NOT NULL CHECK (max_uses > 0),
  uses_left   INTEGER NOT NULL CHECK (uses_left >= 0 AND uses_left <= max_uses),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  created_by  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX enrollment_tokens_created ON enrollment_tokens (created_at, id);

-- Tags every device enrolled with the token inherits.
CREATE TABLE enrollment_token_tags (
  token_id TEXT NOT NULL REFERENCES enrollment_tokens (id),
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE devices (
  id                  TEXT PRIMARY KEY,  -- 32 lowercase hex, assigned by the server
  name                TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'deleted')),
  created_at          INTEGER NOT NULL,
  last_seen           INTEGER,
  agent_version       TEXT NOT NULL DEFAULT '',
  os                  TEXT NOT NULL DEFAULT '',
  enrollment_token_id TEXT NOT NULL REFERENCES enrollment_tokens (id),
  -- The newest certificate, denormalised so lists can sort and filter by expiry cheaply.
  -- Deferred: the device row is inserted before its first certificate.
  current_serial      TEXT NOT NULL
                      REFERENCES certificates (serial) DEFERRABLE INITIALLY DEFERRED,
  cert_not_after      INTEGER NOT NULL,
  recovery_token_hash TEXT UNIQUE,  -- NULL when none; rotated at every renewal
  revoked_at          INTEGER,
  revocation_reason   INTEGER
) STRICT;
-- Foreign-key checks look devices up by these (without them every certificate insert
-- scans the table); a serial is current for at most one device.
CREATE UNIQUE INDEX devices_current_serial ON devices (current_serial);
CREATE INDEX devices_enrollment_token ON devices (enrollment_token_id);
CREATE INDEX devices_created ON devices (created_at, id);
CREATE INDEX devices_name ON devices (name, id);
CREATE INDEX devices_last_seen ON devices (last_seen, id);
CREATE INDEX devices_cert_not_after ON devices (cert_not_after, id);
CREATE INDEX devices_status ON devices (status, created_at, id);

CREATE TABLE device_tags (
  device_id TEXT NOT NULL REFERENCES devices (id),
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (device_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_tags_key_value ON device_tags (key, value, device_id);

CREATE TABLE device_metadata (
  device_id TEXT NOT NULL REFERENCES devices (id),
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (device_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE certificates (
  serial            TEXT PRIMARY KEY,  -- lowercase hex; unique across the registry
  device_id         TEXT NOT NULL REFERENCES devices (id),
  not_before        INTEGER NOT NULL,
  not_after         INTEGER NOT NULL,
  fingerprint       TEXT NOT NULL,     -- SHA-256 of the DER, lowercase hex
  pem               TEXT NOT NULL DEFAULT '',
  issued_at         INTEGER NOT NULL,
  revoked_at        INTEGER,
  revocation_reason INTEGER,           -- RFC 5280 CRLReason code
  CHECK (not_after > not_before),
  CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
) STRICT;
CREATE INDEX certificates_device ON certificates (device_id, issued_at, serial);
CREATE INDEX certificates_revoked ON certificates (serial) WHERE revoked_at IS NOT NULL;

CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  created_by TEXT NOT NULL DEFAULT ''
) STRICT;

-- Append-only audit log; the triggers refuse any change to a written row.
CREATE TABLE events (
  id      INTEGER PRIMARY KEY,  -- strictly increasing (rows are never deleted)
  time    INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL
) STRICT;
CREATE INDEX events_subject ON events (subject, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- Monotonic counters (the CRL number).
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('crl_number', 0);
