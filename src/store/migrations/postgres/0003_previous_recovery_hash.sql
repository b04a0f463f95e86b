-- 0003: a device's previous recovery-token hash stays valid for one rotation, so an agent
-- killed after the server answered but before it installed the new generation (it keeps the
-- old certificate and the old token) can still recover later. NULL when none. Unique like
-- the current hash; a hash held as one device's previous is refused as another's current by
-- the store's check before each write.
ALTER TABLE devices ADD COLUMN previous_recovery_token_hash TEXT COLLATE "C" UNIQUE;
