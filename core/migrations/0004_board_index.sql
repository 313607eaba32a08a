-- The board reads the sort and filter keys of every cached job (10,000 on a busy department)
-- before it decodes the page it shows. This index holds exactly those keys, so that first pass
-- reads a compact index instead of every row's JSON (docs/benchmarks.md, "Screens"); it also
-- answers the board's list of job types without reading the table.
CREATE INDEX jobs_board ON jobs (starts_us, status, hourly_cents, job_type, lat, lon, id);
CREATE INDEX jobs_type ON jobs (job_type);
