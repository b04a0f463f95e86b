-- 0003: a device's previous recovery-token hash stays valid for one rotation, so an agent
-- killed after the server answered but before it installed the new generation (it keeps the
-- old certificate and the old token) can still recover later. NULL when none. Unique like
-- the current hash; a hash held as one device's previous is refused as another's current by
-- the store (a check before the write: SQLite has no constraint across two columns).
ALTER TABLE devices ADD COLUMN previous_recovery_token_hash TEXT;
CREATE UNIQUE INDEX devices_previous_recovery_token_hash
  ON devices (previous_recovery_token_hash);
