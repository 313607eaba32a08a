// A demo server for the suite: `offduty-server serve --demo` on a free loopback port with its
// own SQLite file in a temporary folder under $TMPDIR, its address read from the "listening on"
// line it prints (as scripts/api-fuzz.sh does), stopped when the run ends — pass, fail, or the
// test process being killed.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The demo coordinator (server/src/demo/mod.rs: COORDINATOR_EMAIL, DEMO_PASSWORD). */
export const COORDINATOR = {
  email: 'coordinator@columbus.demo',
  password: 'offduty-demo-2026',
  name: 'Sgt. Dana Whitfield',
};

/** The demo's customer with a saved (simulated) card (server/src/demo/data.rs, demo/market.rs). */
export const STADIUM = {
  email: 'events@ohiostadium.demo',
  password: 'offduty-demo-2026',
  organization: 'Ohio State Athletics',
};

/** The demo's customer with invoice terms. */
export const EASTON = {
  email: 'security@eastontowncenter.demo',
  password: 'offduty-demo-2026',
  organization: 'Easton Town Center',
};

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/** The server binary: OFFDUTY_SERVER_BIN, else `${CARGO_TARGET_DIR:-target}/debug/offduty-server`. */
export function serverBinary() {
  const bin =
    process.env.OFFDUTY_SERVER_BIN ||
    join(process.env.CARGO_TARGET_DIR || 'target', 'debug', 'offduty-server');
  const path = resolve(REPO, bin);
  if (!existsSync(path)) {
    throw new Error(
      `no server binary at ${path}: build it (cargo build -p offduty-server) or set OFFDUTY_SERVER_BIN`,
    );
  }
  return path;
}

const running = new Set();
// Whatever ends this process, no demo server outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

/**
 * Starts a demo server; resolves to `{ base, log, stop }` once it listens. `stop()` ends it
 * (SIGTERM, then SIGKILL after a grace period) and removes its folder.
 */
export async function startDemoServer() {
  const bin = serverBinary();
  const dir = mkdtempSync(join(tmpdir(), 'offduty-browser-'));
  const child = spawn(
    bin,
    ['serve', '--demo', '--listen', '127.0.0.1:0', '--database-url', `sqlite://${dir}/server.db`],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The money task runs with the award sweep: every 2 s instead of 15, so the story's invoice
      // is issued and charged within seconds of its approval (flows/story.mjs).
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', OFFDUTY_SWEEP_SECONDS: process.env.OFFDUTY_SWEEP_SECONDS || '2' },
    },
  );
  running.add(child);
  // For scripts/browser-test.sh: it kills what is left of the run by this file.
  writeFileSync(join(dir, 'server.pid'), `${child.pid}\n`);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));

  const base = await new Promise((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`the demo server did not print its address within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const look = () => {
      const m = /offduty-server listening on (http:\/\/[0-9.]+:[0-9]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        res(m[1]);
      }
    };
    child.stdout.on('data', look);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`the demo server exited (code ${code}, signal ${signal}) before listening:\n${err}`));
    });
  }).catch(async (e) => {
    child.kill('SIGKILL');
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    if (process.env.OFFDUTY_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
  }

  return {
    base,
    dir,
    /** What the server logged so far (stderr), for a failure message. */
    log: () => err,
    /** Whether it panicked so far. */
    panicked: () => /panicked/.test(err),
    stop,
  };
}
