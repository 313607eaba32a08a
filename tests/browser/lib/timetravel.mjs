// Moving a job in time in the demo server's database, the way decision 012 describes and the
// Kotlin and Rust suites do it: new times, the department's next change sequence as the new
// version, and a change-log row for each row changed, so the officers' apps pick the change up
// on their next sync. Node 20 has no SQLite, so the SQL runs in Python's sqlite3 (as the Kotlin
// suite does). The server keeps running: SQLite's busy timeout waits for its writer.

import { execFileSync } from 'node:child_process';

const US_PER_MS = 1000;

function python(script, args) {
  execFileSync('python3', ['-c', script, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

const OPEN = [
  'import sqlite3, sys',
  "c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('PRAGMA busy_timeout=30000')",
  "c.execute('BEGIN IMMEDIATE')",
  "job = sys.argv[2]",
  "d = c.execute('SELECT department_id FROM jobs WHERE id = ?', (job,)).fetchone()[0]",
  "seq = c.execute('UPDATE departments SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq', (d,)).fetchone()[0]",
  "log = lambda entity, id, audience: c.execute('INSERT INTO change_log (department_id, seq, entity, entity_id, audience) VALUES (?, ?, ?, ?, ?)', (d, seq, entity, id, audience))",
];

/** Gives job `jobId` new start and end times (Dates), as a coordinator's edit would. */
export function moveJob(db, jobId, startsAt, endsAt) {
  const script = [
    ...OPEN,
    "c.execute('UPDATE jobs SET starts_us = ?, ends_us = ?, version = ? WHERE id = ?', (int(sys.argv[3]), int(sys.argv[4]), seq, job))",
    "log('job', job, None)",
    "c.execute('COMMIT')",
  ].join('\n');
  python(script, [db, jobId, startsAt.getTime() * US_PER_MS, endsAt.getTime() * US_PER_MS]);
}

/**
 * Moves a worked shift by `deltaMs` (negative: into the past): the job's times, its
 * assignments' times, its timecards' clock-in and clock-out, and its clock events' device and
 * receipt times. The signed events (`signed_json`) keep the times the devices signed: a
 * signature cannot be moved, and nothing re-verifies them after the punch.
 */
export function moveWorkedShift(db, jobId, deltaMs) {
  const script = [
    ...OPEN,
    'delta = int(sys.argv[3])',
    "c.execute('UPDATE jobs SET starts_us = starts_us + ?, ends_us = ends_us + ?, version = ? WHERE id = ?', (delta, delta, seq, job))",
    "log('job', job, None)",
    "c.execute('UPDATE assignments SET created_us = created_us + ?, updated_us = updated_us + ? WHERE job_id = ?', (delta, delta, job))",
    "c.execute('UPDATE clock_events SET device_us = device_us + ?, received_us = received_us + ? WHERE job_id = ?', (delta, delta, job))",
    "cards = c.execute('SELECT id, officer_id FROM timecards WHERE job_id = ?', (job,)).fetchall()",
    "c.execute('UPDATE timecards SET in_us = in_us + ?, out_us = out_us + ?, version = ? WHERE job_id = ?', (delta, delta, seq, job))",
    "[log('timecard', t, o) for (t, o) in cards]",
    "c.execute('COMMIT')",
    'print(len(cards))',
  ].join('\n');
  python(script, [db, jobId, Math.round(deltaMs) * US_PER_MS]);
}
