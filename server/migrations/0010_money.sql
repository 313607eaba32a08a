-- Billing the customers and paying the officers (decision 040): the customer's review of each
-- timecard, invoices and credit notes numbered per department without gaps, every charge
-- attempt, the department's append-only ledger, officers' deposit accounts and payout batches.

-- The customer's review of a timecard of its organization's job: NULL until decided;
-- 'approved' (by the customer), 'auto_approved' (the review window closed), 'disputed' (waits
-- for a coordinator), 'resolved' (a coordinator confirmed or adjusted the disputed hours).
ALTER TABLE timecards ADD COLUMN customer_review TEXT;
ALTER TABLE timecards ADD COLUMN customer_reviewed_by TEXT;
ALTER TABLE timecards ADD COLUMN customer_reviewed_us BIGINT;
ALTER TABLE timecards ADD COLUMN dispute_reason TEXT;
ALTER TABLE timecards ADD COLUMN dispute_resolution TEXT;
-- The invoice that billed it, and the payout batch that paid it.
ALTER TABLE timecards ADD COLUMN invoice_id TEXT;
ALTER TABLE timecards ADD COLUMN payout_batch_id TEXT;
CREATE INDEX timecards_invoice ON timecards (invoice_id);

-- Counters bumped inside the issuing transaction (under the department's lock): numbers without
-- gaps. 'payroll': officers are paid through the department's payroll (CSV and NACHA files).
ALTER TABLE departments ADD COLUMN invoice_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE departments ADD COLUMN credit_note_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE departments ADD COLUMN payout_mode TEXT NOT NULL DEFAULT 'payroll';

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    number BIGINT NOT NULL,
    -- The organization's terms when issued: 'card' (charged) or 'invoice' (pays by transfer).
    terms TEXT NOT NULL,
    -- offduty_domain::billing::Bill and the WorkedShift list it was made from, as issued: never
    -- edited (a credit note corrects an invoice).
    bill_json TEXT NOT NULL,
    worked_json TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    -- open, paid, failed (the charge was declined after every retry)
    status TEXT NOT NULL,
    issued_us BIGINT NOT NULL,
    paid_us BIGINT,
    -- When the background task charges it next (card terms, not paid); NULL: not scheduled.
    next_charge_us BIGINT,
    UNIQUE (department_id, number)
);
CREATE INDEX invoices_organization ON invoices (organization_id, issued_us);
CREATE INDEX invoices_next_charge ON invoices (next_charge_us);

CREATE TABLE credit_notes (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    number BIGINT NOT NULL,
    -- offduty_domain::ledger::Split taken back.
    split_json TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    reason TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_us BIGINT NOT NULL,
    UNIQUE (department_id, number)
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

-- Every attempt to collect an invoice: by the gateway ('card') under the idempotency key
-- invoice-<id>-attempt-<n>, or a transfer a coordinator recorded ('transfer').
CREATE TABLE charges (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    attempt BIGINT NOT NULL,
    method TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    amount_cents BIGINT NOT NULL,
    -- pending (sent or about to be), succeeded, processing, declined, unavailable, refused
    status TEXT NOT NULL,
    gateway_id TEXT,
    message TEXT,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    UNIQUE (invoice_id, attempt)
);

-- The department's ledger: offduty_domain::ledger::Entry as JSON, append-only, in order.
CREATE TABLE ledger_entries (
    department_id TEXT NOT NULL REFERENCES departments (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    invoice_id TEXT,
    entry_json TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    PRIMARY KEY (department_id, seq)
);

-- Where an officer's pay is deposited: the account number sealed (never stored in clear), its
-- last four digits for display.
CREATE TABLE deposit_accounts (
    officer_id TEXT PRIMARY KEY REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    routing TEXT NOT NULL,
    account_sealed TEXT NOT NULL,
    account_last4 TEXT NOT NULL,
    -- checking or savings
    kind TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_us BIGINT NOT NULL
);

CREATE TABLE payout_batches (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    period_start_us BIGINT NOT NULL,
    period_end_us BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    csv TEXT NOT NULL,
    nacha TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE INDEX payout_batches_department ON payout_batches (department_id, created_us);
