-- 0004: trust policies (issue 5). A policy names an endpoint and the devices allowed to
-- reach it: by device ID (policy_devices) or by tag (policy_tags, OR-ed). Device IDs are not
-- foreign keys: a rule may name a device that is deleted or not imported yet. Resolution
-- joins policy_tags with device_tags on the (key, value, device_id) index.
CREATE TABLE policies (
  name        TEXT PRIMARY KEY,  -- [a-z0-9][a-z0-9-]{0,62}
  description TEXT NOT NULL DEFAULT '',
  version     INTEGER NOT NULL CHECK (version > 0),  -- +1 at every change
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE policy_devices (
  policy    TEXT NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  PRIMARY KEY (policy, device_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE policy_tags (
  policy TEXT NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (policy, key, value)
) STRICT, WITHOUT ROWID;
