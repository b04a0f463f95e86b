-- 0006: device posture (issue 7). One row per device holding the latest of each report:
-- host audit (JSON as the agent sent it), package inventory (canonical list as JSON and its
-- hash), the findings matched against it (JSON, with the vulnerability-data generation they
-- were computed from) and the current trust score; plus the score's history (a row when the
-- score changes, or once a day). Policies gain posture requirements.
CREATE TABLE device_posture (
  device_id         TEXT PRIMARY KEY REFERENCES devices (id),
  host_audit        TEXT,     -- JSON object; NULL until reported
  host_audit_at     INTEGER,
  packages_hash     TEXT,     -- 64 hex; NULL until an inventory with packages is reported
  os_id             TEXT,
  codename          TEXT,
  package_count     INTEGER,
  packages          TEXT,     -- JSON array
  inventory_at      INTEGER,
  findings_hash     TEXT,     -- the packages_hash the findings were computed from
  vulndb_generation TEXT,     -- '' = computed without vulnerability data
  findings          TEXT,     -- JSON array; '' = unknown
  findings_at       INTEGER,
  trust_score       INTEGER CHECK (trust_score BETWEEN 0 AND 100),
  score_factors     TEXT,     -- JSON array
  scored_at         INTEGER
) STRICT;

CREATE TABLE trust_score_history (
  device_id TEXT NOT NULL REFERENCES devices (id),
  at        INTEGER NOT NULL,
  score     INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
  PRIMARY KEY (device_id, at)
) STRICT, WITHOUT ROWID;

ALTER TABLE policies ADD COLUMN min_trust_score INTEGER CHECK (min_trust_score BETWEEN 0 AND 100);
ALTER TABLE policies ADD COLUMN deny_fixable_severity TEXT NOT NULL DEFAULT '';
