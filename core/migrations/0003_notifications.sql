-- The officer's notifications as the server last listed them (GET /v1/notifications), for the
-- inbox offline. `read_us`: when the officer opened it on this device (kept across refetches).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    read_us INTEGER
);
CREATE INDEX notifications_created ON notifications (created_us);
