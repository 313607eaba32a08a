// One event from sign-up to payout (issue 11, decision 050), on the suite's demo server: a new
// business signs up and validates a card (the simulated gateway's hosted page), adds a site,
// requests one shift of two officers and reads the estimate; a coordinator approves it; two demo
// officers claim and work it through the real core (the `offduty` CLI, lib/officer.mjs), on the
// site's coordinates; the customer approves the two timecards; the invoice is issued and charged
// to the card, and its amounts are the estimate's; the finished shift is moved back into the
// last closed pay period (decision 012's way, lib/timetravel.mjs) and the coordinator's payroll
// files pay the two officers what the invoice's officer lines say.
//
// Registered in three parts (console.test.mjs) so the officers' minute on shift passes while
// the marketplace flows run: `opens` (sign-up → clock-in), `works` (clock-out → invoice paid →
// the pay period), `paid` (after the money flow, which makes the last period's payroll files
// from the keyboard: the story's two rows in them). The tests of all three run in order and each
// goes on from the one before.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VIEWPORTS, newContext, problemReport } from '../lib/browser.mjs';
import { autofocused, focused, focusProblem } from '../lib/keyboard.mjs';
import { terminal } from '../lib/officer.mjs';
import { fillRequest, localParts } from '../lib/portal.mjs';
import { COORDINATOR } from '../lib/server.mjs';
import { moveJob, moveWorkedShift } from '../lib/timetravel.mjs';

const TEST = { timeout: 120_000 };
/**
 * Demo officers who may work the story's shift (server/src/demo/roster.rs), tried in turn: the
 * first two the department's rules let claim it (rest between shifts, weekly hours) work it.
 */
const CANDIDATES = [163, 178, 141, 127, 196, 112, 188, 154, 133, 171].map((n) => `officer${n}@columbus.demo`);
/** Where the business's site is, and where the officers stand when they punch. */
const SITE = { lat: 39.9612, lon: -82.9988 };
/** The pay policy rounds worked minutes and bills at least its minimum: a punch a minute apart is worked time. */
const MIN_ON_SHIFT_MS = 61_000;

/** Cents of "$1,234.56". */
function cents(text) {
  const m = /^-?\$([0-9,]+)\.([0-9]{2})$/.exec(text.trim());
  assert.ok(m, `an amount: ${JSON.stringify(text)}`);
  return Number(m[1].replaceAll(',', '')) * 100 + Number(m[2]);
}

/** The rows of a bill or invoice table: [{ item, cents }]. */
async function billRows(table) {
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').textContent.trim(), tr.querySelector('td').textContent.trim()]),
  );
  return rows.map(([item, amount]) => ({ item, cents: cents(amount) }));
}

/** `s` as a literal inside a RegExp. */
function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text of the fact named `name` (its <dt>) on a page's facts list. */
async function fact(page, name) {
  const facts = await page.locator('dl.facts dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim().replace(/\s+/g, ' ')]));
  const found = facts.find(([dt]) => dt === name);
  assert.ok(found, `a fact "${name}": ${facts.map(([dt]) => dt).join(', ')}`);
  return found[1];
}

/** Focuses `target` and presses Enter; resolves once the page it leads to has loaded. */
async function enter(page, target, url) {
  await target.focus();
  const f = await focused(page);
  assert.equal(focusProblem(f), null, focusProblem(f));
  const [response] = await Promise.all([page.waitForNavigation({ url, waitUntil: 'load' }), page.keyboard.press('Enter')]);
  return response;
}

/**
 * Registers the story. `get()` returns { browser, env, sessions } once the suite's `before` ran
 * (env.base, env.db: the demo server's SQLite file). Returns the three parts to register.
 */
export function storyFlows(get) {
  const run = Date.now().toString(36);
  const biz = {
    organization: `Scioto Mile Events ${run}`,
    billing: '233 Civic Center Dr, Columbus, OH 43215',
    name: 'Jordan Reyes',
    phone: '(614) 555-0142',
    email: `ops-${run}@sciotomile.test`,
    password: 'scioto-events-2026',
    site: `Scioto Mile fountain ${run}`,
  };
  const title = `Riverfront concert ${run}: crowd security`;
  // Twelve days ahead at dawn (past any short-notice surcharge, after most of the demo's
  // shifts), or the next day when that one is a holiday (the estimate shows its multiplier).
  const shiftOn = (days) => ({ date: localParts(new Date(Date.now() + days * 86_400_000)).date, start: '05:00', end: '08:00', officers: 2 });

  /** What the story learns as it goes. */
  const s = {};
  let business;

  async function pageAs(role) {
    const { browser, env, sessions } = get();
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base, storageState: sessions[role] });
    return { context, page: await context.newPage() };
  }

  function opens() {
    describe('the whole story, 1: a business signs up, requests, is approved; two officers claim and clock in', () => {
      test('a business signs up and validates a card through the payment page', TEST, async () => {
        const { browser, env } = get();
        const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
        const page = await context.newPage();
        business = { context, page };
        await page.goto('/console/sign-up');
        await autofocused(page, '#organization');
        for (const [label, value] of [
          ['Business name', biz.organization],
          ['Billing address', biz.billing],
          ['Your name', biz.name],
          ['Phone', biz.phone],
          ['E-mail', biz.email],
          ['Password', biz.password],
        ]) {
          await page.getByLabel(label, { exact: true }).fill(value);
        }
        await enter(page, page.getByRole('button', { name: 'Create the account' }), '**/console/portal');
        await page.getByRole('heading', { level: 1, name: biz.organization, exact: true }).waitFor();

        // The gateway's hosted page: out through our link, back to our return address with the
        // session id, which the server reads back from the gateway before it saves the card.
        const response = await enter(page, page.getByRole('link', { name: 'Save a payment method' }), /\/console\/portal\?done=method$/);
        const hops = [];
        for (let r = response.request(); r; r = r.redirectedFrom()) hops.unshift(new URL(r.url()));
        assert.deepEqual(
          hops.map((u) => u.pathname),
          ['/console/portal/payment-method', '/console/portal/payment-method/done', '/console/portal'],
          'to the gateway and back',
        );
        assert.match(hops[1].searchParams.get('session_id') ?? '', /^cs_simulated_/, 'back with the checkout session');
        assert.equal((await page.getByRole('status').textContent()).trim(), 'Your payment method is saved and validated.');
        const pay = page.getByRole('region', { name: 'Payment' });
        assert.match(await pay.textContent(), /Charged to Simulated card ending 4242 the day the department approves your timecards/);
        assert.ok(await pay.getByRole('link', { name: 'Replace the payment method' }).isVisible());
        assert.equal(problemReport(context, 'validating a card'), null);
      });

      test('it adds a site with its coordinates, requests one shift of two officers and reads the estimate', TEST, async () => {
        const { page, context } = business;
        await enter(page, page.getByRole('link', { name: 'Add a site' }), '**/console/portal/sites/new');
        await page.getByLabel('Name', { exact: true }).fill(biz.site);
        await page.getByLabel('Street address').fill('233 Civic Center Dr, Columbus, OH 43215');
        await page.getByLabel('Latitude').fill(String(SITE.lat));
        await page.getByLabel('Longitude').fill(String(SITE.lon));
        await enter(page, page.getByRole('button', { name: 'Add the site' }), /\/console\/portal\?done=site$/);

        await enter(page, page.getByRole('main').getByRole('link', { name: 'Request officers' }), '**/console/portal/events/new');
        assert.equal(await page.getByRole('alert').count(), 0, 'a validated card: no warning on the form');
        let estimate;
        let officers;
        for (const days of [12, 13, 14]) {
          await fillRequest(page, { site: biz.site, title, jobType: 'security', shifts: [shiftOn(days)], instructions: 'Stage left gate.' });
          await enter(page, page.getByRole('button', { name: 'See the estimate', exact: true }), '**/console/portal/events');
          estimate = await billRows(page.getByRole('table', { name: "Estimate from the department's rate card" }));
          // "2 officers × 3 h 00 min security", with ", ×1.5 holiday" on a holiday.
          officers = estimate.filter((l) => /^2 officers × \d+ h \d\d min security$/.test(l.item));
          if (officers.length === 1) break;
        }
        assert.equal(officers.length, 1, `one line for the shift's officers, at the plain rate: ${estimate.map((l) => l.item).join(' | ')}`);
        const total = estimate.at(-1);
        assert.equal(total.item, 'Total');
        assert.ok(total.cents > 0);
        const subtotal = estimate.find((l) => l.item === 'Subtotal');
        const lines = estimate.filter((l) => l.item !== 'Subtotal' && l.item !== 'Total' && !/^Event fee/.test(l.item));
        assert.equal(lines.reduce((a, l) => a + l.cents, 0), subtotal.cents, 'the lines add up to the subtotal');
        const fee = estimate.find((l) => /^Event fee/.test(l.item));
        assert.equal(subtotal.cents + (fee?.cents ?? 0), total.cents, 'subtotal + event fee = total');
        s.estimate = { rows: estimate, officers: officers[0], total: total.cents, time: /× (\d+ h \d\d min)/.exec(officers[0].item)[1] };

        await enter(page, page.getByRole('button', { name: 'Submit the request', exact: true }), /\/console\/portal\?done=submitted$/);
        const row = page.locator('main tbody tr', { hasText: title });
        assert.equal((await row.locator('td[data-label="Status"]').textContent()).trim(), 'Waiting for approval');
        assert.equal(cents(await row.locator('td[data-label="Estimate"]').textContent()), s.estimate.total, 'the list shows the estimate');
        s.request = await row.locator('th a').getAttribute('href');
        assert.equal(problemReport(context, 'requesting officers'), null);
      });

      test('the coordinator approves it on its approval page, from the keyboard', TEST, async () => {
        const { context, page } = await pageAs('coordinator');
        try {
          await page.goto('/console/approvals');
          await enter(page, page.getByRole('main').getByRole('link', { name: title, exact: true }), /\/console\/approvals\/[0-9a-f-]{36}$/);
          await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
          const id = new URL(page.url()).pathname.split('/').at(-1);
          // Approve has the focus: Enter approves the request as asked.
          await assert.doesNotReject(autofocused(page, 'form[action$="/approve"] button[type="submit"]'));
          await Promise.all([page.waitForURL(new RegExp(`[?&]last=${id}&did=approved$`)), page.keyboard.press('Enter')]);
          assert.equal(
            (await page.getByRole('status').textContent()).trim(),
            `Approved “${title}” for ${biz.organization}: 1 job posted to officers' phones.`,
          );
          // The job it posted, on the jobs page; its rate.
          await page.goto('/console/jobs');
          const link = page.locator('main tbody th a', { hasText: title });
          assert.equal(await link.count(), 1, 'one job for the one shift');
          s.jobPath = await link.getAttribute('href');
          s.job = s.jobPath.split('/').at(-1);
          await page.goto(s.jobPath);
          // "55.00 USD an hour": no multiplier (no holiday, no short notice), as the estimate said.
          const rate = await fact(page, 'Rate');
          const hourly = /^(\d+)\.(\d\d) USD an hour$/.exec(rate);
          assert.ok(hourly, `the job's rate: ${rate}`);
          s.rate = Number(hourly[1]) * 100 + Number(hourly[2]);
          assert.equal(problemReport(context, 'approving the request'), null);
        } finally {
          await context.close();
        }
      });

      test('two officers sign in on the core, claim the job, and clock in on the site when it is under way', TEST, async () => {
        const { env } = get();
        s.officers = [];
        const refused = [];
        for (const email of CANDIDATES) {
          if (s.officers.length === 2) break;
          const term = terminal(env.base, email);
          term.login(COORDINATOR.password); // every demo account has the same password
          const r = term.run(['claim', s.job, '--json']);
          if (r.code === 1 && /not eligible/.test(r.stderr)) {
            // The core says why (a rest rule, weekly hours): another officer takes the slot.
            refused.push(`${email}: ${r.stderr.trim()}`);
            continue;
          }
          assert.equal(r.code, 0, `${email}: claim: ${r.stdout}${r.stderr}`);
          const claimed = JSON.parse(r.stdout);
          assert.equal(claimed.sent, true, `${email}: the claim was decided: ${r.stdout}`);
          assert.equal(claimed.outcome?.type, 'awarded', `${email}: first come, first served: ${JSON.stringify(claimed.outcome)}`);
          s.officers.push({ email, term });
        }
        assert.equal(s.officers.length, 2, `two officers claimed the job; refused:\n${refused.join('\n')}`);
        // The shift starts two minutes ago (decision 012): tests cannot wait twelve days.
        const start = new Date(Date.now() - 2 * 60_000);
        moveJob(env.db, s.job, start, new Date(start.getTime() + 3 * 3_600_000));
        for (const o of s.officers) {
          o.term.expectOk(['sync']);
          const punched = o.term.json(['clock-in', s.job, '--lat', String(SITE.lat), '--lon', String(SITE.lon), '--accuracy', '8']);
          assert.equal(punched.outcome?.type, 'punched', `${o.email}: ${JSON.stringify(punched)}`);
          assert.equal(punched.outcome.verdict, 'verified', `${o.email}: clocked in on the site: ${JSON.stringify(punched.outcome)}`);
          o.timecard = punched.outcome.timecard_id;
        }
        s.clockedIn = Date.now();
      });

      test('while they work, the coordinator sees both on the roster and checks their deposit accounts', TEST, async () => {
        const { context, page } = await pageAs('coordinator');
        try {
          await page.goto(s.jobPath);
          assert.match(await fact(page, 'Filled'), /^2 of 2\b/);
          const roster = await page.getByRole('region', { name: 'Roster' }).locator('tbody tr th').allTextContents();
          assert.equal(roster.length, 2, `the roster: ${roster.join(' | ')}`);
          s.names = roster.map((n) => n.trim());

          // Deposit accounts, for the payroll: each officer's, set in the browser when missing.
          for (const [i, name] of s.names.entries()) {
            await page.goto('/console/payouts/accounts');
            const row = page.locator('main tbody tr').filter({ has: page.locator('th', { hasText: name }) });
            if ((await row.locator('td[data-label="Account"]').textContent()).trim() === 'None: pay held') {
              await enter(page, row.getByRole('link', { name }), /\/console\/payouts\/accounts\/[0-9a-f-]{36}$/);
              await page.getByLabel('Routing number').fill('021000021');
              await page.getByLabel('Account number').fill(`5500${i}7731`);
              await page.getByLabel('Account type').selectOption('checking');
              await enter(page, page.getByRole('button', { name: 'Save the account' }), /\/console\/payouts\/accounts\?done=/);
            }
            const now = page.locator('main tbody tr').filter({ has: page.locator('th', { hasText: name }) });
            assert.match((await now.locator('td[data-label="Account"]').textContent()).trim(), /····\d{4}\b/, `${name} has an account`);
          }

          // What the last closed pay period already owes them (the demo's own history), so the
          // story's shift can be told apart once it is moved in.
          await page.goto('/console/payouts');
          s.period = (await page.getByRole('heading', { level: 2, name: /^Last pay period: / }).textContent()).trim().replace('Last pay period: ', '');
          s.before = {};
          for (const name of s.names) {
            const row = page.getByRole('region', { name: /officers? to pay/ }).locator('tbody tr').filter({ has: page.locator('th', { hasText: name }) });
            s.before[name] = (await row.count())
              ? { cents: cents(await row.locator('td[data-label="Amount"]').textContent()), timecards: Number(await row.locator('td[data-label="Timecards"]').textContent()) }
              : { cents: 0, timecards: 0 };
          }
          assert.equal(problemReport(context, 'the roster and deposit accounts'), null);
        } finally {
          await context.close();
        }
      });
    });
  }

  function works() {
    describe('the whole story, 2: they clock out; the customer approves; the invoice is charged; the pay period', () => {
      test('both officers clock out on the site, verified', TEST, async () => {
        assert.ok(s.clockedIn, 'part 1 ran');
        const wait = s.clockedIn + MIN_ON_SHIFT_MS - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        for (const o of s.officers) {
          const punched = o.term.json(['clock-out', s.job, '--lat', String(SITE.lat), '--lon', String(SITE.lon), '--accuracy', '8']);
          assert.equal(punched.outcome?.type, 'punched', `${o.email}: ${JSON.stringify(punched)}`);
          assert.equal(punched.outcome.verdict, 'verified', `${o.email}: clocked out on the site: ${JSON.stringify(punched.outcome)}`);
          assert.equal(punched.outcome.timecard_id, o.timecard);
        }
        s.clockedOut = Date.now();
      });

      test('the customer approves both timecards from the keyboard; the invoice is issued and charged to the card', TEST, async () => {
        const { page, context } = business;
        await page.goto('/console/portal/timecards');
        await page.getByRole('heading', { level: 1, name: 'Timecards' }).waitFor();
        const rows = page.locator('main tbody tr');
        assert.equal(await rows.count(), 2, 'the two officers’ timecards, and no one else’s');
        for (const name of s.names) {
          const row = rows.filter({ has: page.locator('th', { hasText: name }) });
          assert.equal((await row.locator('td[data-label="Job"]').textContent()).trim(), title);
          await enter(page, row.getByRole('button', { name: `Approve ${name}'s time` }), '**/console/portal/timecards');
          const after = page.locator('main tbody tr').filter({ has: page.locator('th', { hasText: name }) });
          assert.equal((await after.locator('td[data-label="Decision"]').textContent()).trim(), '—', `${name}: decided`);
        }
        assert.equal(problemReport(context, 'approving timecards'), null);

        // The department's own step: officers are owed approved time only (decision 019). The
        // coordinator approves both verified timecards together on the timecards page (one
        // press, so one money pass bills them together), leaving any other waiting one alone.
        const coord = await pageAs('coordinator');
        try {
          await coord.page.goto('/console/timecards');
          await coord.page.getByRole('heading', { level: 2, name: 'Verified, waiting for your approval' }).waitFor();
          const boxes = coord.page.locator('form[action="/console/timecards/approve-verified"] input[name="timecard"]');
          const ours = new Set(s.officers.map((o) => o.timecard));
          const values = await boxes.evaluateAll((els) => els.map((e) => e.value));
          for (const id of ours) assert.ok(values.includes(id), `the verified timecard ${id} is listed`);
          for (const v of values) {
            const box = boxes.and(coord.page.locator(`[value="${v}"]`));
            if (ours.has(v) !== (await box.isChecked())) {
              await box.focus();
              await coord.page.keyboard.press('Space');
            }
          }
          await enter(coord.page, coord.page.getByRole('button', { name: 'Approve the selected timecards' }), '**/console/timecards?done=verified');
          await coord.page.getByRole('status').filter({ hasText: 'The selected timecards are approved' }).waitFor();
          assert.equal(problemReport(coord.context, 'approving verified timecards'), null);
        } finally {
          await coord.context.close();
        }

        // The money task issues the invoice at its next pass and charges the card.
        let invoice;
        for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 1000))) {
          await page.goto('/console/portal/invoices');
          invoice = page.locator('main tbody tr').first();
          if ((await invoice.count()) && (await invoice.locator('td[data-label="Status"]').textContent()).trim() === 'paid') break;
          invoice = null;
        }
        assert.ok(invoice, 'an invoice, paid, within a minute');
        assert.equal(await page.locator('main tbody tr').count(), 1, 'one invoice for the event');
        await enter(page, invoice.getByRole('link'), /\/console\/portal\/invoices\/[0-9a-f-]{36}$/);
        s.invoicePath = new URL(page.url()).pathname;
        assert.equal(problemReport(context, 'the invoice list'), null);
      });

      test("the invoice is paid, its amounts are the estimate's, and its PDF downloads", TEST, async () => {
        const { page, context } = business;
        const h1 = (await page.locator('h1').textContent()).trim();
        assert.match(h1, /^Invoice \d+$/);
        assert.match(await page.locator('main .lede').textContent(), /· paid · charged to the saved payment method/);
        const rows = await billRows(page.getByRole('table', { name: 'Lines' }));
        const total = rows.find((r) => r.item === 'Total').cents;
        assert.equal(rows.find((r) => r.item === 'Due').cents, 0, 'nothing left to pay');
        // One officer-hours line per officer, for the estimate's time, at the job's rate.
        const minutes = (() => {
          const [, h, m] = /(\d+) h (\d\d) min/.exec(s.estimate.time);
          return Number(h) * 60 + Number(m);
        })();
        s.pay = {};
        for (const name of s.names) {
          const line = rows.find((r) => r.item === `${name}, ${s.estimate.time} security`);
          assert.ok(line, `${name}'s line (${s.estimate.time}): ${rows.map((r) => r.item).join(' | ')}`);
          assert.equal(line.cents, Math.round((s.rate * minutes) / 60), `${name}: ${s.estimate.time} at the job's rate`);
          s.pay[name] = line.cents;
        }
        assert.equal(
          Object.values(s.pay).reduce((a, c) => a + c, 0),
          s.estimate.officers.cents,
          'the officers cost what the estimate said',
        );
        // The administrative fee the estimate listed for two officers, billed per officer.
        for (const fee of s.estimate.rows.filter((r) => /^Administrative fee, 2 officers × /.test(r.item))) {
          const billed = rows.filter((r) => r.item === `Administrative fee, 1 officer × ${s.estimate.time}`);
          assert.equal(billed.length, 2, 'one administrative fee line per officer');
          assert.equal(billed.reduce((a, r) => a + r.cents, 0), fee.cents, fee.item);
        }
        assert.equal(total, s.estimate.total, 'the invoice total is the estimate’s');
        const payments = page.getByRole('table', { name: 'Payment attempts' }).locator('tbody tr');
        assert.equal(await payments.count(), 1, 'charged once');
        assert.equal((await payments.locator('td[data-label="Result"]').textContent()).trim(), 'succeeded');
        assert.equal(cents(await payments.locator('td[data-label="Amount"]').textContent()), total);

        const href = await page.getByRole('link', { name: 'Download the PDF' }).getAttribute('href');
        const pdf = await page.request.get(href);
        assert.equal(pdf.status(), 200);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        const body = await pdf.body();
        assert.equal(body.subarray(0, 5).toString(), '%PDF-');
        assert.ok(body.includes(Buffer.from(h1)), `the PDF is ${h1}`);
        assert.equal(problemReport(context, 'the paid invoice'), null);
        await context.close();
      });

      test('the shift is moved into the last closed pay period, which lists both officers with the invoice amounts', TEST, async () => {
        const { env } = get();
        const { context, page } = await pageAs('coordinator');
        try {
          await page.goto('/console/payouts');
          const heading = (await page.getByRole('heading', { level: 2, name: /^Last pay period: / }).textContent()).trim();
          assert.equal(heading.replace('Last pay period: ', ''), s.period, 'the same period as when the shift began');
          // "Mon 30 Nov 2026 – Sun 6 Dec 2026": the shift is moved to end at noon of its last day.
          const last = /– \w{3} (\d{1,2}) (\w{3}) (\d{4})$/.exec(s.period);
          assert.ok(last, s.period);
          const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(last[2]);
          const noon = Date.UTC(Number(last[3]), month, Number(last[1]), 17, 0); // 12:00 EST, 13:00 EDT
          assert.ok(noon < s.clockedOut, 'the last closed period is over');
          moveWorkedShift(env.db, s.job, noon - s.clockedOut);

          // The period's table: both officers, each with one timecard more and the invoice's line more.
          await page.reload();
          const table = page.getByRole('region', { name: /officers? to pay/ }).locator('table');
          for (const name of s.names) {
            const row = table.locator('tbody tr').filter({ has: page.locator('th', { hasText: name }) });
            assert.equal(await row.count(), 1, `${name} is paid in ${s.period}`);
            assert.equal(
              cents(await row.locator('td[data-label="Amount"]').textContent()),
              s.before[name].cents + s.pay[name],
              `${name}: what the period owed before, plus the invoice's line`,
            );
            assert.equal(Number(await row.locator('td[data-label="Timecards"]').textContent()), s.before[name].timecards + 1);
          }
          assert.equal(problemReport(context, 'the pay period'), null);
        } finally {
          await context.close();
        }
      });
    });
  }

  function paid() {
    describe('the whole story, 3: the payroll files pay the two officers what the invoice says', () => {
      test("the period's payroll CSV and NACHA file hold the two officers with the invoice's amounts", TEST, async () => {
        assert.ok(s.pay, 'parts 1 and 2 ran');
        const { context, page } = await pageAs('coordinator');
        try {
          await page.goto('/console/payouts');
          // The money flow makes the last period's files from the keyboard; alone, the story does.
          const make = page.getByRole('button', { name: `Make the payroll files for ${s.period}` });
          if (await make.count()) await enter(page, make, '**/console/payouts?done=batch');
          const files = page.getByRole('table', { name: /pay periods? paid/ });
          const row = files.locator('tbody tr').filter({ has: page.locator('th', { hasText: s.period }) });
          assert.equal(await row.count(), 1, `a batch for ${s.period}`);

          const csv = await page.request.get(await row.getByRole('link', { name: /Payroll CSV/ }).getAttribute('href'));
          assert.equal(csv.status(), 200);
          const [header, ...lines] = (await csv.text()).split('\r\n').filter(Boolean).map((l) => l.split(','));
          const col = (n) => header.indexOf(n);
          for (const n of ['name', 'timecards', 'hours', 'gross']) assert.ok(col(n) >= 0, `the CSV has ${n}: ${header.join(',')}`);
          for (const name of s.names) {
            const mine = lines.filter((l) => l[col('name')] === name);
            assert.equal(mine.length, 1, `${name}: one line`);
            const [line] = mine;
            const owed = s.before[name].cents + s.pay[name];
            assert.equal(line[col('gross')], (owed / 100).toFixed(2), `${name}: the invoice's officer line (and the period's other pay)`);
            assert.equal(Number(line[col('timecards')]), s.before[name].timecards + 1, `${name}: timecards`);
          }

          const ach = await page.request.get(await row.getByRole('link', { name: /NACHA file/ }).getAttribute('href'));
          assert.equal(ach.status(), 200);
          const entries = (await ach.text()).split('\n').filter((r) => r.startsWith('6'));
          for (const name of s.names) {
            // The file's names are ASCII upper case, cut to 22 characters (money::nacha).
            const key = (t) => t.toUpperCase().replace(/[^A-Z0-9]/g, '');
            const entry = entries.filter((r) => key(r.slice(54, 76)).length > 0 && key(name).startsWith(key(r.slice(54, 76))));
            assert.equal(entry.length, 1, `${name}: one entry: ${entries.map((r) => r.slice(54, 76)).join(' | ')}`);
            assert.equal(Number(entry[0].slice(29, 39)), s.before[name].cents + s.pay[name], `${name}: the entry's amount`);
          }
          assert.equal(problemReport(context, 'the payroll files'), null);
        } finally {
          await context.close();
        }
      });
    });
  }

  return { opens, works, paid };
}
