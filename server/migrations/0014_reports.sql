-- Reports e-mailed on a schedule (decision 044). A coordinator asks for a report (its id and
-- filters) daily, weekly or monthly at an address; each period is sent once.
CREATE TABLE report_schedules (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    report_id TEXT NOT NULL,
    -- The report's filters (officer, customer, award rule) as JSON; the period comes from the
    -- frequency.
    params_json TEXT NOT NULL,
    -- daily (the previous day), weekly (the previous Monday to Sunday), monthly (the previous
    -- calendar month), in the department's zone.
    frequency TEXT NOT NULL,
    email TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    -- Set when a coordinator stops the schedule; its sends stay.
    stopped_us BIGINT
);
CREATE INDEX report_schedules_department ON report_schedules (department_id, created_us);

-- One row per schedule and period: the primary key makes a period's report sent once, however
-- many server processes look at the schedule. `state`: pending, retrying, sent, failed;
-- `lease_until_us`: the process that took it owns it until then (a crashed sender's lease runs
-- out and another sends it: twice perhaps, lost never).
CREATE TABLE report_sends (
    schedule_id TEXT NOT NULL REFERENCES report_schedules (id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    due_us BIGINT NOT NULL,
    lease_until_us BIGINT,
    code TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    created_us BIGINT NOT NULL,
    sent_us BIGINT,
    PRIMARY KEY (schedule_id, period_from)
);
CREATE INDEX report_sends_due ON report_sends (state, due_us);

-- Reports select a period's jobs, then their timecards: without this index every report scans
-- all timecards and looks each job up (decision 044; docs/benchmarks.md).
CREATE INDEX timecards_job ON timecards (job_id);
