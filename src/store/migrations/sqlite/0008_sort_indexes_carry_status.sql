-- 0008: the dashboard's device list with a status filter in name, expiry or last-seen order
-- (issue 6). Such a page walks the sort order's index and checks each device's status;
-- with the status in the index entry that check needs no device row, and only the devices
-- of the page are read. Active devices by name at offset 90,000 of 100,000: 30 -> 10 ms in
-- the sqlite3 CLI. The indexes are replaced, not added: no extra work per enrollment.
DROP INDEX devices_name;
CREATE INDEX devices_name ON devices (name, id, status);
DROP INDEX devices_last_seen;
CREATE INDEX devices_last_seen ON devices (last_seen, id, status);
DROP INDEX devices_cert_not_after;
CREATE INDEX devices_cert_not_after ON devices (cert_not_after, id, status);
