// The web console (decision 035) in a real browser: Debian's Chromium driven by playwright-core
// against a real demo server, axe-core on every page at a laptop's and a phone's window size,
// the keyboard alone, what the browser received (security headers) and what it logged.
// Run by scripts/browser-test.sh; the pages checked are listed in pages.mjs.
//
// One browser and one server for the whole run; tests run one after another in this process.

import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expectNoSeriousAxeViolations } from './lib/axe.mjs';
import { VIEWPORTS, launchBrowser, newContext, problemReport } from './lib/browser.mjs';
import { autofocused, focusProblem, focused, tabStops } from './lib/keyboard.mjs';
import { COORDINATOR, REPO, STADIUM, startDemoServer } from './lib/server.mjs';
import { signIn } from './lib/session.mjs';
import { marketplaceFlows } from './flows/marketplace.mjs';
import { moneyFlows } from './flows/money.mjs';
import { storyFlows } from './flows/story.mjs';
import { PAGES } from './pages.mjs';

/** Each test's budget: a page load and its checks take well under a second on a quiet machine. */
const TEST = { timeout: 120_000 };
const SCREENSHOTS = process.env.OFFDUTY_SCREENSHOTS === '1';
const SCREENSHOT_DIR = join(REPO, 'docs', 'screenshots');

let server;
let browser;
/** What the suite learns once signed in; the page list reads it (pages.mjs). */
const env = {};
/** The cookies of each signed-in role (pages.mjs: `as`). */
const sessions = {};

before(
  async () => {
    server = await startDemoServer();
    env.base = server.base;
    // The demo server's SQLite file, for moving a job in time (decision 012; flows/story.mjs).
    env.db = join(server.dir, 'server.db');
    browser = await launchBrowser();
    // One sign-in through the form, with the mouse, whose cookies every signed-in page reuses:
    // the login rate limit allows an account ten attempts in a burst, and the suite makes five.
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
    try {
      const page = await context.newPage();
      await page.goto('/console/sign-in');
      await signIn(page, COORDINATOR);
      env.signedIn = await context.storageState();
      sessions.coordinator = env.signedIn;
      // A job with officers on its roster, for the job page: the open one with most slots filled.
      const rows = await page.locator('main tbody tr').evaluateAll((trs) =>
        trs.map((tr) => {
          const a = tr.querySelector('th a');
          const filled = /(\d+) of (\d+)/.exec(tr.querySelector('td[data-label="Filled"]').textContent);
          return {
            path: a.getAttribute('href'),
            title: a.textContent.trim(),
            filled: Number(filled[1]),
            status: tr.querySelector('td[data-label="Status"]').textContent.trim(),
          };
        }),
      );
      const withRoster = rows.filter((r) => r.filled > 0);
      assert.ok(withRoster.length > 0, 'the demo department has a job with officers on its roster');
      env.job = withRoster.filter((r) => r.status === 'Open').sort((a, b) => b.filled - a.filled)[0] || withRoster[0];
      env.jobCount = rows.length;
      env.department = (await page.locator('.who span').textContent()).split(' · ')[1].trim();
      // The oldest request in the approval queue: where "Start with the oldest" leads.
      await page.goto('/console/approvals/next');
      assert.match(page.url(), /\/console\/approvals\/[0-9a-f-]{36}$/, 'the demo queue has a request waiting');
      env.approval = { path: new URL(page.url()).pathname, title: (await page.locator('h1').textContent()).trim() };
      // An officer's deposit-account form: the first on the list (those without one come first).
      await page.goto('/console/payouts/accounts');
      const depositOfficer = page.locator('main table a').first();
      env.depositAccount = { path: await depositOfficer.getAttribute('href'), name: (await depositOfficer.textContent()).trim() };
      // The first officer on the officers page (decision 045).
      await page.goto('/console/officers');
      const officer = page.locator('tbody th a').first();
      env.officer = { path: await officer.getAttribute('href'), name: (await officer.textContent()).trim() };
      // The demo's affiliate (decision 047).
      await page.goto('/console/affiliates');
      const affiliate = page.locator('tbody th a').first();
      env.affiliate = { path: await affiliate.getAttribute('href'), name: (await affiliate.textContent()).trim() };
      assert.equal(problemReport(context, 'signing in'), null);
    } finally {
      await context.close();
    }
    // The demo customer, signed in once the same way; its oldest request still waiting.
    const customer = await newContext(browser, VIEWPORTS[0], { base: env.base });
    try {
      const page = await customer.newPage();
      await page.goto('/console/sign-in');
      await signIn(page, STADIUM, { customer: true });
      sessions.customer = await customer.storageState();
      const waiting = page.locator('main tbody tr', { hasText: 'Waiting for approval' }).locator('th a');
      assert.ok((await waiting.count()) > 0, 'the demo customer has a request waiting');
      const a = waiting.last();
      env.request = { path: await a.getAttribute('href'), title: (await a.textContent()).trim() };
      assert.equal(problemReport(customer, 'signing in as the customer'), null);
    } finally {
      await customer.close();
    }
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await server?.stop();
  if (server?.panicked()) assert.fail(`the demo server panicked:\n${server.log()}`);
});

/** `path` of a page entry, resolved. */
const resolve = (v) => (typeof v === 'function' ? v(env) : v);

/**
 * Loads `path` in a fresh context at `viewport` (with the session of `as`, or none), does
 * `then` when given (a form sent: the page checked is where it lands, `lands`), checks the
 * status and that the browser was not sent elsewhere, runs `check(page, response, { open })`
 * (`open()` loads the page again the same way), then fails if the browser logged any problem
 * meanwhile (console error, CSP violation, failed request). Always closes the context.
 */
async function withPage(viewport, path, { as, status = 200, then, lands } = {}, check) {
  const role = as ?? null;
  const context = await newContext(browser, viewport, {
    base: env.base,
    storageState: role ? sessions[role] : undefined,
  });
  const what = `${lands ?? path}${role ? ` as the ${role}` : ''} (${viewport.name} ${viewport.width}×${viewport.height})`;
  try {
    const page = await context.newPage();
    const url = new URL(lands ?? path, env.base).href;
    context.expectStatus(url, status);
    const responses = [];
    page.on('response', (r) => responses.push(r));
    const open = async () => {
      let response = await page.goto(new URL(path, env.base).href, { waitUntil: 'load' });
      if (then) response = await then(page, env);
      return response;
    };
    const response = await open();
    assert.equal(page.url(), url, `${what}: the browser ended up elsewhere`);
    assert.equal(response.status(), status, `${what}: HTTP status`);
    await check(page, response, { what, responses, context, open });
    const problems = problemReport(context, what);
    assert.equal(problems, null, problems);
  } finally {
    await context.close();
  }
}

/** The console's security headers (decision 035) on a response as the browser received it. */
async function expectSecurityHeaders(response, what, { page = true } = {}) {
  const h = await response.allHeaders();
  const csp = h['content-security-policy'];
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
  assert.equal(directives['default-src'], "'none'", `${what}: CSP default-src`);
  // No script at all today; htmx (decision 035) would add script-src 'self' here, deliberately.
  assert.equal(directives['script-src'], undefined, `${what}: CSP must not allow any script`);
  assert.equal(directives['style-src'], "'self'", `${what}: CSP style-src`);
  assert.equal(directives['form-action'], "'self'", `${what}: CSP form-action`);
  assert.equal(directives['frame-ancestors'], "'none'", `${what}: CSP frame-ancestors`);
  assert.equal(directives['base-uri'], "'none'", `${what}: CSP base-uri`);
  assert.doesNotMatch(csp, /unsafe-|\*/, `${what}: CSP has a wildcard or an unsafe- source`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.equal(h['referrer-policy'], 'same-origin', `${what}: Referrer-Policy`);
  if (page) {
    assert.equal(h['cache-control'], 'no-store', `${what}: Cache-Control`);
    assert.match(h['content-type'], /^text\/html; charset=utf-8$/i, `${what}: Content-Type`);
  }
}

/** Fails unless the document is no wider than the window (no sideways scrolling). */
async function expectNoHorizontalScroll(page, viewport, what) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`),
  }));
  assert.equal(m.innerWidth, viewport.width, `${what}: the page was laid out wider than the window (zoomed out)`);
  assert.ok(
    m.scrollWidth <= m.innerWidth,
    `${what}: scrolls sideways: document ${m.scrollWidth}px wide in a ${m.innerWidth}px window; too wide: ${m.wide.join(', ')}`,
  );
}

/** Saves the window (`how.fullPage`: the whole page; `how.at`: scrolled to that element first). */
async function screenshot(page, name, viewport, how = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `console-${name}${viewport.name === 'phone' ? '-phone' : ''}.png`);
  if (how.at) await page.locator(how.at).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path, fullPage: how.fullPage === true, animations: 'disabled', caret: 'hide' });
  assert.ok(statSync(path).size > 1000, `${path} was written`);
}

// ---- Every page in pages.mjs, at every window size ----------------------------------------

for (const entry of PAGES) {
  describe(`page ${entry.name}`, () => {
    const opts = () => ({ as: entry.as, status: entry.status ?? 200, then: entry.then, lands: entry.lands });
    for (const vp of VIEWPORTS) {
      test(`${vp.name}: the security headers as received, the title and one <h1>; it fits the window (no horizontal scroll)`, TEST, async () => {
        await withPage(vp, resolve(entry.path), opts(), async (page, response, { what, responses }) => {
          await expectSecurityHeaders(response, what);
          const css = responses.find((r) => new URL(r.url()).pathname === '/console/static/console.css');
          assert.ok(css, `${what}: the stylesheet was loaded`);
          assert.equal(css.status(), 200, `${what}: the stylesheet's status`);
          assert.match((await css.allHeaders())['content-type'], /^text\/css/, `${what}: the stylesheet's type`);
          await expectSecurityHeaders(css, `${what} stylesheet`, { page: false });
          const heading = resolve(entry.heading);
          await assert.doesNotReject(
            page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor(),
            `${what}: <h1> ${heading}`,
          );
          assert.equal(await page.locator('h1').count(), 1, `${what}: one <h1>`);
          assert.match(await page.title(), / · offduty console$/, `${what}: <title>`);
          assert.equal(await page.getAttribute('html', 'lang'), 'en', `${what}: <html lang>`);
          // One page load for both: each test's fresh context and load is most of its time.
          await expectNoHorizontalScroll(page, vp, what);
          if (SCREENSHOTS && entry.screenshot !== false) await screenshot(page, entry.name, vp, entry.screenshot);
        });
      });

      test(`${vp.name}: axe-core finds no serious or critical violation`, TEST, async () => {
        await withPage(vp, resolve(entry.path), opts(), async (page, _r, { what }) => {
          await expectNoSeriousAxeViolations(page, what);
        });
      });

      test(`${vp.name}: keyboard: Tab reaches the skip link first, every stop shows its focus, the skip link leads into <main>`, TEST, async () => {
        await withPage(vp, resolve(entry.path), opts(), async (page, _r, { what, open }) => {
          // How many Shift+Tabs lead from the focus on load back to the skip link (autofocus pages).
          let back = 0;
          if (entry.autofocus) {
            await assert.doesNotReject(autofocused(page, entry.autofocus), `${what}: ${entry.autofocus} is focused on load`);
            const start = await focused(page);
            assert.equal(focusProblem(start), null, `${what}: the focus on load is not visible: ${focusProblem(start)}`);
            // Focus starts there, so Tab goes on from there; the skip link is before it (the
            // stop just before a sign-in form's first field; further back on a page focused
            // lower down, such as an approval's Approve button).
            for (let f = start; !f?.isSkipLink && back < 200; back++) {
              await page.keyboard.press('Shift+Tab');
              f = await focused(page);
              if (!f) break;
            }
          } else {
            assert.equal(await focused(page), null, `${what}: nothing is focused on load`);
            await page.keyboard.press('Tab');
          }
          const skip = await focused(page);
          assert.ok(skip?.isSkipLink, `${what}: the first tab stop is the skip link, not ${skip?.describe}`);
          assert.equal(skip.label, 'Skip to main content');

          // Every tab stop of the page, in order, and each must show where focus is.
          const stops = [skip, ...(await tabStops(page))];
          const problems = stops.map(focusProblem).filter(Boolean);
          assert.deepEqual(problems, [], `${what}: focus not visible:\n  ${problems.join('\n  ')}`);
          const focusable = await page.evaluate(
            () =>
              [...document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex="0"]')].filter(
                // Shown: not display:none, not inside a closed <details> (content-visibility).
                (el) => !el.disabled && el.checkVisibility(),
              ).length,
          );
          assert.equal(stops.length, focusable, `${what}: Tab reaches every link, button, field and scrollable region`);

          // The skip link takes focus to <main>; the next Tab is inside it.
          await open();
          if (entry.autofocus) {
            await autofocused(page, entry.autofocus);
            for (let i = 0; i < back; i++) await page.keyboard.press('Shift+Tab');
          } else {
            await page.keyboard.press('Tab');
          }
          assert.ok((await focused(page))?.isSkipLink, `${what}: the skip link is focused again`);
          await page.keyboard.press('Enter');
          await page.waitForURL(/#main$/);
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', `${what}: the skip link focuses <main>`);
          // The next Tab stays in <main> when <main> has anything to reach; a page whose <main>
          // holds only text (an empty list) has nothing there, and Tab rightly leaves it.
          const inMain = await page.evaluate(
            () =>
              [...document.querySelectorAll('main a[href], main button, main input:not([type="hidden"]), main select, main textarea, main summary, main [tabindex="0"]')].filter(
                (el) => !el.disabled && el.checkVisibility(),
              ).length,
          );
          await page.keyboard.press('Tab');
          const next = await focused(page);
          if (inMain > 0) {
            assert.ok(next?.inMain, `${what}: Tab after the skip link stays in <main>, not ${next?.describe}`);
          } else {
            assert.ok(!next?.inMain, `${what}: <main> has nothing to reach, yet Tab stayed in it`);
          }
        });
      });
    }
  });
}

// ---- Flows: what a coordinator does -------------------------------------------------------

/** A fresh context at the laptop size on the sign-in page, not signed in. */
async function signInPage(vp = VIEWPORTS[0]) {
  const context = await newContext(browser, vp, { base: env.base });
  const page = await context.newPage();
  await page.goto('/console/sign-in');
  return { context, page };
}

describe('sign-in', () => {
  test('each field has a visible label that names it; the button says what it does', TEST, async () => {
    const { context, page } = await signInPage();
    try {
      const email = page.getByLabel('E-mail', { exact: true });
      const password = page.getByLabel('Password', { exact: true });
      assert.equal(await email.getAttribute('type'), 'email');
      assert.equal(await email.getAttribute('autocomplete'), 'username');
      assert.equal(await password.getAttribute('type'), 'password');
      assert.equal(await password.getAttribute('autocomplete'), 'current-password');
      for (const label of ['E-mail', 'Password']) {
        assert.ok(await page.locator('label', { hasText: label }).isVisible(), `the label "${label}" is visible`);
      }
      assert.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible());
      assert.equal(problemReport(context, 'sign-in'), null);
    } finally {
      await context.close();
    }
  });

  for (const vp of VIEWPORTS) {
    test(`${vp.name}: a wrong password shows the error, keeps the e-mail and focuses the password`, TEST, async () => {
      const { context, page } = await signInPage(vp);
      try {
        await page.getByLabel('E-mail').fill(COORDINATOR.email);
        await page.getByLabel('Password').fill('not-the-password');
        context.expectStatus('/console/sign-in', 422);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/sign-in')),
          page.getByRole('button', { name: 'Sign in' }).click(),
        ]);
        await page.waitForLoadState('load');
        assert.equal(response.status(), 422);
        await expectSecurityHeaders(response, 'the refused sign-in');
        const alert = page.getByRole('alert');
        assert.equal((await alert.textContent()).trim(), 'Wrong e-mail or password.');
        assert.equal(await page.getByLabel('E-mail').inputValue(), COORDINATOR.email, 'the e-mail is kept');
        assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not sent back');
        await assert.doesNotReject(autofocused(page, '#password'), 'focus is in the password');
        assert.match(page.url(), /\/console\/sign-in$/);
        await expectNoSeriousAxeViolations(page, `the refused sign-in (${vp.name})`);
        await expectNoHorizontalScroll(page, vp, `the refused sign-in (${vp.name})`);
        if (SCREENSHOTS) await screenshot(page, 'sign-in-error', vp);
        assert.equal(problemReport(context, 'a refused sign-in'), null);
      } finally {
        await context.close();
      }
    });
  }

  test('keyboard only: the form is filled and sent without the mouse', TEST, async () => {
    const { context, page } = await signInPage();
    try {
      // The e-mail field has focus on load (autofocus); type, Tab, type, Tab to the button, Enter.
      await assert.doesNotReject(autofocused(page, '#email'), 'the e-mail field has the focus');
      await page.keyboard.type(COORDINATOR.email);
      await page.keyboard.press('Tab');
      assert.equal((await focused(page))?.id, 'password');
      await page.keyboard.type(COORDINATOR.password);
      await page.keyboard.press('Tab');
      const button = await focused(page);
      assert.equal(button?.label, 'Sign in');
      assert.equal(focusProblem(button), null, focusProblem(button));
      await Promise.all([page.waitForURL('**/console/jobs'), page.keyboard.press('Enter')]);
      await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
      assert.ok(await page.getByText(COORDINATOR.name).isVisible(), 'the header names who is signed in');
      assert.equal(problemReport(context, 'keyboard sign-in'), null);
    } finally {
      await context.close();
    }
  });
});

describe('jobs and a job', () => {
  test("the jobs page lists the department's jobs, each linking to its page", TEST, async () => {
    await withPage(VIEWPORTS[0], '/console/jobs', { as: 'coordinator' }, async (page, _r, { what }) => {
      const nav = page.getByRole('navigation', { name: 'Console' });
      assert.equal(await nav.getByRole('link', { name: 'Jobs' }).getAttribute('aria-current'), 'page');
      assert.ok(await page.getByText(`${COORDINATOR.name} · Columbus Division of Police (demo)`).isVisible());
      const rows = page.locator('main tbody tr');
      const count = await rows.count();
      assert.ok(count >= 10, `${what}: the demo department's jobs are listed (${count})`);
      assert.equal(count, env.jobCount);
      const caption = (await page.locator('main table caption').textContent()).trim();
      assert.equal(caption, `${count} jobs`, `${what}: the caption counts the rows`);
      const hrefs = await rows.locator('th a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.equal(hrefs.length, count, 'every row links to its job');
      for (const href of hrefs) assert.match(href, /^\/console\/jobs\/[0-9a-f-]{36}$/);
      // The region that scrolls the table sideways is named by the caption, so a screen reader says what it is.
      assert.ok(await page.getByRole('region', { name: caption }).isVisible());
    });
  });

  test('a job opened from the list shows its facts and its roster; the crumb leads back', TEST, async () => {
    await withPage(VIEWPORTS[0], '/console/jobs', { as: 'coordinator' }, async (page, _r, { what }) => {
      await Promise.all([
        page.waitForURL(`**${env.job.path}`),
        // Its own row's link: two demo jobs can share a title (a recurring detail).
        page.locator(`main tbody th a[href="${env.job.path}"]`).click(),
      ]);
      await page.getByRole('heading', { level: 1, name: env.job.title, exact: true }).waitFor();
      const facts = await page.locator('dl.facts dt').allTextContents();
      assert.deepEqual(facts, ['Customer', 'Site', 'When', 'Filled', 'Status', 'Award rule', 'Rate']);
      const filled = /(\d+) of (\d+)/.exec(await page.locator('dl.facts div', { hasText: 'Filled' }).locator('dd').textContent());
      assert.equal(Number(filled[1]), env.job.filled, `${what}: the job page and the list agree on the slots filled`);
      await page.getByRole('heading', { level: 2, name: 'Roster' }).waitFor();
      const roster = page.getByRole('region', { name: 'Roster' }).locator('tbody tr');
      const officers = await roster.count();
      assert.ok(officers >= env.job.filled, `${what}: ${officers} officers on a roster with ${env.job.filled} slots filled`);
      const awarded = await roster.filter({ hasText: 'Awarded' }).count();
      assert.equal(awarded, env.job.filled, `${what}: one awarded officer per filled slot`);
      await Promise.all([page.waitForURL('**/console/jobs'), page.getByRole('link', { name: '← All jobs' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    });
  });

  test('a job that does not exist is the 404 page, with the way back', TEST, async () => {
    await withPage(VIEWPORTS[0], '/console/jobs/00000000-0000-7000-8000-000000000000', { as: 'coordinator', status: 404 }, async (page) => {
      assert.equal(
        (await page.locator('main p').first().textContent()).trim(),
        'There is no such page, or it belongs to another department.',
      );
      await Promise.all([page.waitForURL('**/console/jobs'), page.getByRole('link', { name: 'Go to the console' }).click()]);
    });
  });
});

// One event from sign-up to payout (flows/story.mjs, decision 050), in three parts: the
// officers are on shift while the sessions and marketplace flows run; the money flow makes the
// payroll files. (After the jobs tests: they count the jobs the suite found on start.)
const story = storyFlows(() => ({ browser, env, sessions }));
story.opens();

describe('sessions', () => {
  test('without a session a console page leads to the sign-in page', TEST, async () => {
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
    try {
      const page = await context.newPage();
      const response = await page.goto('/console/jobs');
      assert.match(page.url(), /\/console\/sign-in$/);
      assert.equal(response.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Sign in to the console' }).waitFor();
      assert.equal(problemReport(context, 'signed out'), null);
    } finally {
      await context.close();
    }
  });

  test('sign-out ends the session: the page it left is not shown again by Back or by its address', TEST, async () => {
    const { context, page } = await signInPage();
    try {
      await signIn(page, COORDINATOR);
      await Promise.all([page.waitForURL('**/console/sign-in'), page.getByRole('button', { name: 'Sign out' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Sign in to the console' }).waitFor();
      const cookies = (await context.cookies()).map((c) => c.name);
      assert.ok(!cookies.includes('offduty_console'), `the session cookie is gone (cookies: ${cookies.join(', ')})`);
      // Back: the jobs page was sent with no-store, so the browser asks again, and is refused.
      await page.goBack();
      await page.waitForLoadState('load');
      assert.match(page.url(), /\/console\/sign-in$/, 'Back after sign-out shows the sign-in page');
      assert.equal(await page.getByRole('heading', { level: 1, name: 'Jobs' }).count(), 0, 'no jobs after sign-out');
      await page.goto('/console/jobs');
      assert.match(page.url(), /\/console\/sign-in$/);
      assert.equal(problemReport(context, 'sign-out'), null);
    } finally {
      await context.close();
    }
  });
});

// ---- Flows: the customer portal and the approval queue (flows/marketplace.mjs) ------------

marketplaceFlows(() => ({ browser, env, sessions }));
story.works();
moneyFlows(() => ({ browser, env, sessions }));
story.paid();

// ---- The checks themselves can fail -------------------------------------------------------

describe('the checks catch what they look for', () => {
  test("the browser enforces the console's CSP, and the console watch reports the violation", TEST, async () => {
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base, storageState: env.signedIn });
    try {
      const page = await context.newPage();
      // The real jobs page with its real headers, plus an inline style and an inline script.
      await page.route('**/console/jobs', async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace(
          '</head>',
          '<style>body { background: rgb(255, 0, 0) }</style><script>document.title = "ran"</script></head>',
        );
        await route.fulfill({ response, body });
      });
      await page.goto('/console/jobs');
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 0, 0)');
      assert.notEqual(await page.title(), 'ran');
      const problems = context.problems().join('\n');
      assert.match(problems, /Applying inline style violates the following Content Security Policy directive 'style-src 'self''/);
      assert.match(problems, /Executing inline script violates the following Content Security Policy directive 'default-src 'none''/);
    } finally {
      await context.close();
    }
  });

  test('the axe check fails on a page with serious violations, naming them', TEST, async () => {
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
    try {
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><head><title>bad</title></head><body><main>' +
          '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">' +
          '<p style="color:#ccc;background:#fff">faint</p></main></body></html>',
      );
      await assert.rejects(expectNoSeriousAxeViolations(page, 'a bad page'), (e) => {
        assert.match(e.message, /serious or critical violation/);
        assert.match(e.message, /image-alt/);
        assert.match(e.message, /label/);
        assert.match(e.message, /color-contrast/);
        assert.match(e.message, /Fix any of the following/, 'each element says what to fix');
        return true;
      });
    } finally {
      await context.close();
    }
  });

  test('the width check fails on a page wider than the phone', TEST, async () => {
    const phone = VIEWPORTS.find((v) => v.name === 'phone');
    const context = await newContext(browser, phone, { base: env.base });
    try {
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">' +
          '<title>w</title></head><body><table><tr><td style="min-width: 600px">a wide table</td></tr></table></body></html>',
      );
      await assert.rejects(expectNoHorizontalScroll(page, phone, 'a wide page'), /laid out wider than the window|scrolls sideways/);
    } finally {
      await context.close();
    }
  });

  test('the focus check fails on an outline that cannot be seen', TEST, async () => {
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
    try {
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><head><title>t</title><style>a:focus { outline: none } ' +
          'button:focus-visible { outline: 3px solid #eee }</style></head><body><a href="#x">a link</a><button>b</button></body></html>',
      );
      const [link, button] = await tabStops(page);
      assert.match(focusProblem(link), /outline none/);
      assert.match(focusProblem(button), /contrast 1\.\d\d:1 \(needs 3:1\)/);
    } finally {
      await context.close();
    }
  });
});
