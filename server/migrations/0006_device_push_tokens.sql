-- Push tokens (offduty_domain::push::PushToken): where the push service reaches each device.
-- One per device; a token belongs to one device at a time (the phone changed hands: the newest
-- registration wins). Deleted when the device is revoked or the officer signs out.
CREATE TABLE device_push_tokens (
    device_id TEXT PRIMARY KEY REFERENCES devices (id),
    platform TEXT NOT NULL,
    token TEXT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_push_tokens_token ON device_push_tokens (platform, token);
