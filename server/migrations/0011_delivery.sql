-- Notification delivery (decision 041): the worker drains the outbox (`notifications`) to push,
-- e-mail and SMS, and records every attempt.
--
-- On `notifications`: `delivery_state` is where the notice stands (pending, quiet = held for the
-- officer's quiet hours, retrying, delivered, failed, not_sent = written before delivery existed);
-- `due_us` is when a worker may take it next (quiet hours and backoff move it later);
-- `lease_until_us` is how long the worker that took it owns it (a crashed worker's lease runs out
-- and another takes the notice again: sent twice perhaps, lost never); `sent_us` (already there)
-- is set when every channel has reached an end, and only then may retention prune the notice.
ALTER TABLE notifications ADD COLUMN delivery_state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE notifications ADD COLUMN due_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN lease_until_us BIGINT;
-- Notices written before delivery existed stay in the inbox but are not pushed months late.
UPDATE notifications SET delivery_state = 'not_sent', sent_us = created_us WHERE sent_us IS NULL;
CREATE INDEX notifications_due ON notifications (due_us) WHERE sent_us IS NULL;

-- Where SMS reach an officer (E.164, `+15551234567`); officers without one get no SMS.
ALTER TABLE users ADD COLUMN phone TEXT;

-- Every delivery attempt, one row per (notification, channel, destination, attempt). The
-- destination is a push token, an e-mail address or a phone number, never a secret. `outcome`:
-- delivered, retry (retryable failure; `next_attempt_us` says when), failed (given up or refused
-- by the provider), gone (the provider says the token no longer exists; it was deleted),
-- no_provider (the channel is not configured on this server).
CREATE TABLE delivery_attempts (
    notification_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at_us BIGINT NOT NULL,
    next_attempt_us BIGINT,
    PRIMARY KEY (notification_id, channel, destination, attempt)
);
CREATE INDEX delivery_attempts_at ON delivery_attempts (at_us);
