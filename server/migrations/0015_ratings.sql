-- Ratings after a shift (issue 12, decision 046).
--
-- `officer_ratings`: a customer's rating of the officer who worked a timecard; one per
-- timecard (re-rating edits it for 14 days after `created_us`, then it is locked). A
-- coordinator may hide the comment: the text stays here (and in the audit entry), `hidden_us`,
-- `hidden_by` and `hidden_reason` say who hid it and why; nobody but coordinators sees it after.
CREATE TABLE officer_ratings (
    timecard_id TEXT PRIMARY KEY REFERENCES timecards (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    stars BIGINT NOT NULL,
    tags_json TEXT NOT NULL,
    comment TEXT,
    rated_by TEXT NOT NULL REFERENCES users (id),
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    hidden_us BIGINT,
    hidden_by TEXT REFERENCES users (id),
    hidden_reason TEXT
);
CREATE INDEX officer_ratings_department ON officer_ratings (department_id, updated_us);
CREATE INDEX officer_ratings_officer ON officer_ratings (officer_id, created_us);

-- `site_ratings`: an officer's private rating of the site of a shift they worked; one per
-- timecard, seen by the department's coordinators only (never by the customer).
CREATE TABLE site_ratings (
    timecard_id TEXT PRIMARY KEY REFERENCES timecards (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    stars BIGINT NOT NULL,
    tags_json TEXT NOT NULL,
    comment TEXT,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE INDEX site_ratings_department ON site_ratings (department_id, updated_us);
