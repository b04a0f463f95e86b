-- 0008: the dashboard's device list by name within one status (issue 6). Like
-- devices_status (status, created_at, id) for the default order, this lets a page of
-- "active devices by name" walk only that status's devices, in name order, without reading
-- device rows: at offset 90,000 of 100,000 devices, 45 ms walking devices_name and checking
-- each row's status.
CREATE INDEX devices_status_name ON devices (status, name, id);
