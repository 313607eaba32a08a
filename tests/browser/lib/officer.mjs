// An officer's terminal: the real `offduty` CLI (cli/, on the same embedded core as the phones)
// with its own data directory and file secrets, pointed at the suite's demo server — what
// cli/tests/common does in Rust. Each run is a separate process, as an officer would type it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { REPO } from './server.mjs';

/** The CLI binary: OFFDUTY_CLI_BIN, else `${CARGO_TARGET_DIR:-target}/debug/offduty`. */
export function cliBinary() {
  const bin = process.env.OFFDUTY_CLI_BIN || join(process.env.CARGO_TARGET_DIR || 'target', 'debug', 'offduty');
  const path = resolve(REPO, bin);
  if (!existsSync(path)) {
    throw new Error(`no CLI binary at ${path}: build it (cargo build -p offduty-cli) or set OFFDUTY_CLI_BIN`);
  }
  return path;
}

/** Bound on one CLI run: a sync against a local server takes well under a second. */
const RUN_TIMEOUT_MS = 60_000;

/**
 * A terminal for the officer signing in with `email`, against `base`. `run(args)` resolves to
 * { code, stdout, stderr }; `json(args)` runs with --json and parses stdout (failing with the
 * output when the run fails).
 */
export function terminal(base, email) {
  const bin = cliBinary();
  const data = mkdtempSync(join(tmpdir(), 'offduty-officer-'));
  const env = {
    ...process.env,
    OFFDUTY_SERVER: base,
    OFFDUTY_DATA_DIR: data,
    OFFDUTY_SECRETS: 'file',
    HOME: data,
  };
  delete env.OFFDUTY_LOG;
  function run(args, input = '') {
    try {
      const stdout = execFileSync(bin, args, { env, input, encoding: 'utf8', timeout: RUN_TIMEOUT_MS, stdio: ['pipe', 'pipe', 'pipe'] });
      return { code: 0, stdout, stderr: '' };
    } catch (e) {
      if (e.status === null || e.status === undefined) throw e;
      return { code: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }
  function expectOk(args, input) {
    const r = run(args, input);
    if (r.code !== 0) {
      throw new Error(`offduty ${args.join(' ')} (${email}) exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    return r;
  }
  return {
    email,
    data,
    run,
    expectOk,
    json: (args, input) => JSON.parse(expectOk([...args, '--json'], input).stdout),
    login: (password) => JSON.parse(expectOk(['login', '--email', email, '--password-stdin', '--json'], `${password}\n`).stdout),
  };
}
