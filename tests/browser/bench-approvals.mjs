// How fast a coordinator clears the approval queue from the keyboard (issue 11: "a median of
// ≤ 10 s per event over 20 queued requests, measured by a scripted browser run"). Not part of
// the suite's pass/fail: run by hand, `scripts/browser-test.sh --bench` (or `node
// bench-approvals.mjs [--count 20] [--floor 20]` in tests/browser with OFFDUTY_SERVER_BIN set).
//
// A demo server and Chromium, as in the suite. The demo customers (Ohio State Athletics, with
// a saved simulated card; Easton Town Center, with invoice terms) fill and submit requests
// through the portal's form until `--count` wait in the queue (the demo seeds four). Then the
// coordinator opens /console/approvals/next and, for each request: the page is shown (its <h1>,
// the Approve button focused) → Enter → the next page is shown. Each step is timed from one
// page shown to the next, so it holds the server's work (approving posts one job per shift in
// one transaction, then two redirects) and the browser's. The floor, in the same run: loading
// the sign-in page (and the stylesheet alone) the same way, so the ratio is honest on a noisy
// machine. A person also reads each request before pressing Enter: that time is on top.

import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

import { VIEWPORTS, launchBrowser, newContext, problemReport } from './lib/browser.mjs';
import { autofocused } from './lib/keyboard.mjs';
import { fillRequest, press, shiftInDays } from './lib/portal.mjs';
import { COORDINATOR, EASTON, REPO, STADIUM, serverBinary, startDemoServer } from './lib/server.mjs';
import { signIn } from './lib/session.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 20);
const FLOOR = arg('floor', 20);
const APPROVE = 'form[action$="/approve"] button[type="submit"]';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;
const summary = (xs) =>
  `median ${ms(median(xs))}, p90 ${ms(quantile(xs, 0.9))}, max ${ms(Math.max(...xs))}, total ${ms(xs.reduce((a, b) => a + b, 0))} (n = ${xs.length})`;

/** The shape of the n-th request: 1–3 shifts, 1–6 officers, days 3–40 ahead, both customers. */
function requestNo(n) {
  const days = 3 + ((n * 7) % 38);
  const shifts = Array.from({ length: 1 + (n % 3) }, (_, k) =>
    shiftInDays(days + k, ['08:00', '12:00', '17:00'][n % 3], ['14:00', '20:00', '23:30'][n % 3], 1 + ((n + k) % 6)),
  );
  return n % 2
    ? { who: EASTON, site: 'Easton Town Center', title: `Bench ${n}: weekend security`, jobType: 'security', shifts }
    : { who: STADIUM, site: n % 4 ? 'Ohio Stadium' : 'Schottenstein Center', title: `Bench ${n}: gates and traffic`, jobType: 'traffic', vehicle: true, shifts };
}

async function signedIn(browser, base, who, customer) {
  const context = await newContext(browser, VIEWPORTS[0], { base });
  const page = await context.newPage();
  await page.goto('/console/sign-in');
  await signIn(page, who, { customer });
  return { context, page };
}

const started = new Date();
const load0 = loadavg();
const server = await startDemoServer();
const browser = await launchBrowser();
try {
  // The queue, topped up to COUNT through the portal's form.
  const coordinator = await signedIn(browser, server.base, COORDINATOR, false);
  const page = coordinator.page;
  await page.goto('/console/approvals');
  const seeded = await page.locator('main tbody tr').count();
  const customers = new Map();
  const made = Math.max(0, COUNT - seeded);
  const t = performance.now();
  for (let n = 1; n <= made; n++) {
    const r = requestNo(n);
    if (!customers.has(r.who.email)) customers.set(r.who.email, await signedIn(browser, server.base, r.who, true));
    const p = customers.get(r.who.email).page;
    await p.goto('/console/portal/events/new');
    await fillRequest(p, r);
    await press(p, 'Submit the request');
    assert.match(p.url(), /\/console\/portal\?done=submitted$/, `request ${n} was submitted`);
  }
  const making = performance.now() - t;
  await page.goto('/console/approvals');
  const queued = await page.locator('main tbody tr').count();
  assert.equal(queued, Math.max(COUNT, seeded), 'the queue holds the requests');

  // The floor: a page with no database work, loaded and checked the same way.
  const anon = await newContext(browser, VIEWPORTS[0], { base: server.base });
  const a = await anon.newPage();
  const floorPage = [];
  const floorCss = [];
  await a.goto('/console/sign-in');
  for (let i = 0; i < FLOOR; i++) {
    let t0 = performance.now();
    await a.goto('/console/sign-in', { waitUntil: 'load' });
    await a.locator('h1').waitFor();
    await autofocused(a, '#email');
    floorPage.push(performance.now() - t0);
    t0 = performance.now();
    const css = await a.goto('/console/static/console.css', { waitUntil: 'load' });
    assert.equal(css.status(), 200);
    floorCss.push(performance.now() - t0);
  }

  // The queue, cleared from the keyboard.
  await page.goto('/console/approvals/next');
  const steps = [];
  const server_ = [];
  let jobs = 0;
  for (let i = 0; i < queued; i++) {
    const title = (await page.locator('h1').textContent()).trim();
    await autofocused(page, APPROVE);
    const id = new URL(page.url()).pathname.split('/').at(-1);
    const t0 = performance.now();
    await Promise.all([page.waitForURL(new RegExp(`[?&]last=${id}&did=approved$`), { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    // Shown: its heading, and (unless the queue is empty) the next Approve button focused.
    const last = i === queued - 1;
    if (last) await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    else await autofocused(page, APPROVE);
    steps.push(performance.now() - t0);
    // The browser's own account of the navigation: POST, two redirects, the page's bytes.
    server_.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].responseEnd));
    const notice = await page.getByRole('status').textContent();
    assert.ok(notice.startsWith(`Approved “${title}”`), `the next page says what was approved: ${notice}`);
    jobs += Number(/: (\d+) jobs? posted/.exec(notice)[1]);
    if (last) assert.ok(await page.getByText('No request is waiting.').isVisible(), 'the queue is empty');
  }
  assert.equal(problemReport(coordinator.context, 'the benchmark'), null);
  const load1 = loadavg();
  const commit = execSync('git rev-parse --short HEAD', { cwd: REPO }).toString().trim();
  const report = [
    `Approving requests in the browser — ${started.toISOString()} — commit ${commit}`,
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end`,
    `server: ${serverBinary()}`,
    `queue: ${queued} requests (${seeded} seeded by the demo, ${made} submitted through the portal's form in ${ms(making)})`,
    `approve (Enter → next page shown): ${summary(steps)}; ${jobs} jobs posted`,
    `  of which the navigation (POST, two redirects, the next page's bytes): median ${ms(median(server_))}, max ${ms(Math.max(...server_))}`,
    `floor, the sign-in page loaded and checked: ${summary(floorPage)}`,
    `floor, the stylesheet alone: ${summary(floorCss)}`,
    `ratio, median approve / median sign-in page: ${(median(steps) / median(floorPage)).toFixed(1)}×`,
    `goal: median ≤ 10 s per event (machine time; a person's reading time is on top): ${median(steps) <= 10_000 ? 'met' : 'NOT met'}`,
  ];
  console.log(report.join('\n'));
} finally {
  await browser.close();
  await server.stop();
  if (server.panicked()) console.error(`the demo server panicked:\n${server.log()}`);
}
