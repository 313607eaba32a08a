-- Service-level alerts and shift reminders (issue 12, decision 043).
--
-- `alerts`: what the shift watcher raised about an awarded slot. One row per slot and kind —
-- the unique key makes a second pass, or a second server process, unable to raise it twice.
-- `kind`: no_show, late_clock_in, early_clock_out, overrun, punch_review. `escalated_us` is set
-- once, when nobody acknowledged the alert in the department's time; `acknowledged_us` and
-- `acknowledged_by` when a coordinator did (an acknowledged alert is the history).
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    raised_us BIGINT NOT NULL,
    escalated_us BIGINT,
    acknowledged_us BIGINT,
    acknowledged_by TEXT REFERENCES users (id),
    UNIQUE (assignment_id, kind)
);
CREATE INDEX alerts_department_open ON alerts (department_id, acknowledged_us, raised_us);

-- The shift reminder sent for a slot: one per slot, whoever sends it first.
CREATE TABLE shift_reminders (
    assignment_id TEXT PRIMARY KEY REFERENCES assignments (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    sent_us BIGINT NOT NULL
);
