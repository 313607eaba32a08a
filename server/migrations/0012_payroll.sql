-- Paying officers through the department's payroll (decision 042): the department's pay period
-- and the originator details its bank gave it for direct deposit (NACHA), payout batches of one
-- pay period each, and which timecards a credit note took back (they are never paid out).

CREATE TABLE payroll_settings (
    department_id TEXT PRIMARY KEY REFERENCES departments (id),
    -- 7 (weekly) or 14 (every other week) days, starting on period_anchor (a local date,
    -- YYYY-MM-DD, in the department's time zone) and every period_days after it.
    period_days BIGINT NOT NULL,
    period_anchor TEXT NOT NULL,
    -- offduty-server's money::nacha::Originator, as the bank gave it.
    destination_routing TEXT NOT NULL,
    destination_name TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    origin_name TEXT NOT NULL,
    company_name TEXT NOT NULL,
    company_id TEXT NOT NULL,
    odfi_routing TEXT NOT NULL,
    entry_description TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_us BIGINT NOT NULL
);

-- What a batch holds and how its NACHA file was made (the file itself is kept sealed in
-- payout_batches.nacha: it carries full account numbers).
ALTER TABLE payout_batches ADD COLUMN officers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_batches ADD COLUMN timecards BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payout_batches ADD COLUMN effective_date TEXT NOT NULL DEFAULT '';
ALTER TABLE payout_batches ADD COLUMN file_id_modifier TEXT NOT NULL DEFAULT 'A';
-- One batch per pay period and department: a second run of the same period is refused.
CREATE UNIQUE INDEX payout_batches_period ON payout_batches (department_id, period_start_us);
CREATE INDEX timecards_payout_batch ON timecards (payout_batch_id);

ALTER TABLE timecards ADD COLUMN credit_note_id TEXT;
