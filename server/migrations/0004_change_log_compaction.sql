-- Change-log compaction (docs/decisions/020-change-log-compaction.md).
-- The watermark: every change of the department with seq <= compacted_seq has been deleted from
-- change_log, so a phone whose cursor is below it gets a full snapshot. Written in the same
-- transaction as the deletions; read in the same snapshot as the change rows.
CREATE TABLE change_log_compaction (
    department_id TEXT PRIMARY KEY REFERENCES departments (id),
    compacted_seq BIGINT NOT NULL,
    compacted_us BIGINT NOT NULL
);
-- "At at_us the department's change sequence was seq": every change <= seq had committed by
-- then. The retention sweep writes one per department per run and compacts through the newest
-- mark older than the horizon, so the change log needs no time column.
CREATE TABLE change_log_marks (
    department_id TEXT NOT NULL REFERENCES departments (id),
    seq BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    PRIMARY KEY (department_id, seq)
);
