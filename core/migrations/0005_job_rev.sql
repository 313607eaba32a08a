-- Every write that changes a job's JSON gets a number never used before in this file, `jobs.rev`,
-- kept by triggers so that no writer can forget it (rewriting the same JSON keeps the number, so
-- applying the same delta twice still changes nothing). The board keeps decoded jobs in memory under
-- (rowid, rev) and decodes a row's JSON again only when that pair changes (decision 033).
-- Rows written before this migration keep rev 0 until their JSON changes.
ALTER TABLE jobs ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE TABLE job_rev (n INTEGER NOT NULL);
INSERT INTO job_rev (n) VALUES (0);
CREATE TRIGGER jobs_rev_insert AFTER INSERT ON jobs BEGIN
    UPDATE job_rev SET n = n + 1;
    UPDATE jobs SET rev = (SELECT n FROM job_rev) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER jobs_rev_update AFTER UPDATE OF json ON jobs WHEN NEW.json IS NOT OLD.json BEGIN
    UPDATE job_rev SET n = n + 1;
    UPDATE jobs SET rev = (SELECT n FROM job_rev) WHERE rowid = NEW.rowid;
END;
-- The board's covering index (migration 4) gains `rev`, so its first pass knows which decoded
-- jobs are still current without reading a row.
DROP INDEX jobs_board;
CREATE INDEX jobs_board ON jobs (starts_us, status, hourly_cents, job_type, lat, lon, id, rev);
