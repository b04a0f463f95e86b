-- The heartbeat (POST /v1/ping) also reports the host name and the host's uptime.
ALTER TABLE devices ADD COLUMN hostname TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN uptime_seconds BIGINT NOT NULL DEFAULT 0;
