-- The customers' side of the marketplace (issue 11, decision 039): businesses that ask the
-- department for officers (organizations), the places they need them (sites), and their event
-- requests, which wait in the coordinators' approval queue and become jobs when approved.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    name TEXT NOT NULL,
    billing_address TEXT NOT NULL,
    contact_phone TEXT NOT NULL DEFAULT '',
    -- 'card': a validated payment method is needed before the first request; 'invoice': terms a
    -- coordinator granted (the customer pays invoices by transfer).
    terms TEXT NOT NULL DEFAULT 'card',
    -- The payment gateway's ids (never a card number): its customer, the saved payment method,
    -- what the customer is shown ("Visa ending 4242") and when it was validated.
    gateway_customer TEXT,
    payment_method TEXT,
    payment_method_label TEXT,
    payment_method_us BIGINT,
    created_us BIGINT NOT NULL
);
CREATE INDEX organizations_department ON organizations (department_id, name);

-- A customer account belongs to one organization.
ALTER TABLE users ADD COLUMN organization_id TEXT REFERENCES organizations (id);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    -- The fence officers clock in against; a circle around the pin until a coordinator edits it.
    geofence_json TEXT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE INDEX sites_organization ON sites (organization_id, name);

CREATE TABLE event_requests (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    title TEXT NOT NULL,
    job_type TEXT NOT NULL,
    vehicle BIGINT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    instructions TEXT NOT NULL,
    -- The shifts asked for (offduty_domain::billing::RequestedShift, UTC) and the estimate the
    -- customer saw when submitting (offduty_domain::billing::Bill).
    shifts_json TEXT NOT NULL,
    estimate_json TEXT NOT NULL,
    -- submitted, changes_requested, approved, rejected, cancelled
    status TEXT NOT NULL,
    -- The coordinator's reason when asking for changes or rejecting.
    reason TEXT,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitted_us BIGINT NOT NULL,
    decided_by TEXT,
    decided_us BIGINT,
    cancelled_us BIGINT,
    -- What cancelling cost (the late-cancellation bill's total), when it was cancelled.
    cancellation_fee_cents BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX event_requests_queue ON event_requests (department_id, status, submitted_us);
CREATE INDEX event_requests_organization ON event_requests (organization_id, submitted_us);

-- The jobs an approved request was published as.
ALTER TABLE jobs ADD COLUMN event_id TEXT REFERENCES event_requests (id);
CREATE INDEX jobs_event ON jobs (event_id);

-- The fees of the department's rate card (vehicle, administrative and event fees, the
-- late-cancellation window) as JSON; NULL means the defaults. The hourly rates, holidays,
-- minimum and rounding stay in pay_json: one place each.
ALTER TABLE departments ADD COLUMN fees_json TEXT;
