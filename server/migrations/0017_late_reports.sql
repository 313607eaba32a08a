-- "Running late" from the phone (issue 12, decision 048). One row per awarded slot: the latest
-- arrival the officer reported. The shift watcher raises no no-show for the slot before
-- `eta_us` plus the department's grace. A separate table, not a column of `assignments`, so a
-- report does not touch the assignment's `updated_us` (the watcher reads it as the moment the
-- slot became the officer's).
CREATE TABLE late_reports (
    assignment_id TEXT PRIMARY KEY REFERENCES assignments (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    minutes_late INTEGER NOT NULL,
    eta_us BIGINT NOT NULL,
    reported_us BIGINT NOT NULL
);
CREATE INDEX late_reports_job ON late_reports (job_id);
