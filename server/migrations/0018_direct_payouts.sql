-- Paying officers directly through the payment gateway (issue 11, decision 049), the other
-- payout mode beside the department's payroll (decision 042): an officer's payout account at
-- the gateway (a Connect account the officer onboards on the provider's pages), and one transfer
-- per officer per batch, keyed so a retry never pays twice.

CREATE TABLE payout_accounts (
    officer_id TEXT PRIMARY KEY REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    -- The gateway's account id (acct_…); never bank details: the provider keeps those.
    gateway_account TEXT NOT NULL,
    -- 1 once the gateway says the account can receive payouts (asked, or told by webhook).
    ready BIGINT NOT NULL DEFAULT 0,
    checked_us BIGINT,
    created_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX payout_accounts_gateway ON payout_accounts (gateway_account);

CREATE TABLE payout_transfers (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES payout_batches (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    gateway_account TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    -- The timecards it pays, a JSON array of ids.
    timecards_json TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    -- pending (not yet answered), succeeded, failed (the timecards wait for a later batch)
    status TEXT NOT NULL,
    gateway_id TEXT,
    message TEXT,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE INDEX payout_transfers_batch ON payout_transfers (batch_id);
CREATE INDEX payout_transfers_officer ON payout_transfers (department_id, officer_id, status);

-- How a batch paid: 'payroll' (CSV + NACHA file) or 'direct' (transfers).
ALTER TABLE payout_batches ADD COLUMN mode TEXT NOT NULL DEFAULT 'payroll';
