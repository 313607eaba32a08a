// The marketplace in the browser (issue 11, decision 039): a business signs up, adds a site,
// sees an estimate, is refused without a payment method, a coordinator grants it invoice terms,
// it submits, the coordinator clears the queue from the keyboard (oldest first, Enter on the
// focused Approve button), the business sees "Approved" and its jobs, then cancels with the fee
// shown first. One story: the tests run in order and each goes on from the one before.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VIEWPORTS, newContext, problemReport } from '../lib/browser.mjs';
import { autofocused, focused, focusProblem } from '../lib/keyboard.mjs';
import { fillRequest, localParts, press } from '../lib/portal.mjs';

const TEST = { timeout: 120_000 };
const MONEY = /\$[0-9,]+\.[0-9]{2}/;

/** The Approve button of an approval page. */
const APPROVE = 'form[action$="/approve"] button[type="submit"]';


/**
 * Registers the flows. `get()` returns { browser, env, sessions } once the suite's `before` ran:
 * the browser, what the suite learned (env.base, env.department), the roles' cookies.
 */
export function marketplaceFlows(get) {
  const run = Date.now().toString(36);
  const biz = {
    organization: `Riverside Stadium ${run}`,
    billing: '100 Riverside Dr, Columbus, OH 43215',
    name: 'Morgan Ellis',
    phone: '(614) 555-0199',
    email: `events-${run}@riverside.test`,
    password: 'riverside-events-2026',
    site: 'Riverside Stadium lot',
  };
  // Starts in 10 hours: inside the 24-hour late-cancellation window, so cancelling costs money.
  const start = new Date(Date.now() + 10 * 3_600_000);
  const shift = {
    date: localParts(start).date,
    start: localParts(start).time,
    end: localParts(new Date(start.getTime() + 4 * 3_600_000)).time,
    officers: 2,
  };
  const title = `Night game ${run}: lot security`;
  /** The business's browser, kept from one step to the next. */
  let business;
  let requestPath;

  async function coordinatorPage() {
    const { browser, env, sessions } = get();
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base, storageState: sessions.coordinator });
    return { context, page: await context.newPage() };
  }

  describe('the marketplace: a business and a coordinator', () => {
    test('a business signs up from the keyboard alone; each field has its label', TEST, async () => {
      const { browser, env } = get();
      const context = await newContext(browser, VIEWPORTS[0], { base: env.base });
      const page = await context.newPage();
      business = { context, page };
      await page.goto('/console/sign-up');
      await page.getByRole('heading', { level: 1, name: `Hire officers from ${env.department}` }).waitFor();
      await autofocused(page, '#organization');
      const fields = [
        ['Business name', 'organization', biz.organization],
        ['Billing address', 'billing_address', biz.billing],
        ['Your name', 'contact_name', biz.name],
        ['Phone', 'phone', biz.phone],
        ['E-mail', 'email', biz.email],
        ['Password', 'password', biz.password],
      ];
      for (const [label, id] of fields) {
        assert.equal(await page.getByLabel(label, { exact: true }).getAttribute('id'), id, `"${label}" labels #${id}`);
      }
      // The business name has the focus; type each field and Tab to the next, then to the button.
      for (const [i, [, id, value]] of fields.entries()) {
        const f = await focused(page);
        assert.equal(f?.id, id, `field ${i + 1} is #${id}, not ${f?.describe}`);
        assert.equal(focusProblem(f), null, focusProblem(f));
        await page.keyboard.type(value);
        await page.keyboard.press('Tab');
      }
      const button = await focused(page);
      assert.equal(button?.label, 'Create the account');
      await Promise.all([page.waitForURL('**/console/portal'), page.keyboard.press('Enter')]);
      await page.getByRole('heading', { level: 1, name: biz.organization, exact: true }).waitFor();
      assert.ok(await page.getByRole('link', { name: 'Save a payment method' }).isVisible(), 'no payment method yet');
      assert.ok(await page.getByText('No requests yet.').isVisible());
      assert.equal(problemReport(context, 'signing up'), null);
    });

    test('it adds a site', TEST, async () => {
      const { page, context } = business;
      await Promise.all([page.waitForURL('**/console/portal/sites/new'), page.getByRole('link', { name: 'Add a site' }).click()]);
      await assert.doesNotReject(autofocused(page, '#name'), 'the name has the focus');
      await page.getByLabel('Name', { exact: true }).fill(biz.site);
      await page.getByLabel('Street address').fill('100 Riverside Dr, Columbus, OH 43215');
      await page.getByLabel('Latitude').fill('39.9650');
      await page.getByLabel('Longitude').fill('-83.0190');
      const response = await press(page, 'Add the site');
      assert.equal(response.status(), 200);
      assert.match(page.url(), /\/console\/portal\?done=site$/);
      assert.equal((await page.getByRole('status').textContent()).trim(), 'The site was added. You can now request officers there.');
      assert.ok(await page.getByRole('main').getByText(biz.site).isVisible());
      assert.equal(problemReport(context, 'adding a site'), null);
    });

    test('it fills a request and sees the estimate; submitting without a payment method is refused on the page', TEST, async () => {
      const { page, context } = business;
      await Promise.all([
        page.waitForURL('**/console/portal/events/new'),
        page.getByRole('main').getByRole('link', { name: 'Request officers' }).click(),
      ]);
      assert.match(await page.getByRole('alert').first().textContent(), /Save a payment method .* You can still see an estimate\./);
      await fillRequest(page, { site: biz.site, title, jobType: 'security', shifts: [shift], instructions: 'Lot C gate.' });
      const estimated = await press(page, 'See the estimate');
      assert.equal(estimated.status(), 200);
      const bill = page.getByRole('region', { name: "Estimate from the department's rate card" });
      await bill.waitFor();
      const lines = await bill.locator('tbody th').allTextContents();
      assert.ok(lines.some((l) => /^2 officers × 4 h 00 min security/.test(l)), `a line for the shift: ${lines.join(' | ')}`);
      assert.equal(lines.at(-1), 'Total');
      assert.equal(lines.filter((l) => /^Event fee/.test(l)).length, 1, `the event fee once: ${lines.join(' | ')}`);
      const total = (await bill.locator('tr.total td').textContent()).trim();
      assert.match(total, MONEY);
      assert.notEqual(total, '$0.00');
      // The form kept what was typed.
      assert.equal(await page.getByLabel('Event', { exact: true }).inputValue(), title);

      context.expectStatus(new URL('/console/portal/events', get().env.base).href, 403);
      const refused = await press(page, 'Submit the request');
      assert.equal(refused.status(), 403);
      assert.equal(
        (await page.locator('#form-error').textContent()).trim(),
        'Save and validate a payment method before your first request (or ask the department for invoice terms).',
      );
      assert.equal(await page.getByLabel('Event', { exact: true }).inputValue(), title, 'the refused form comes back as typed');
      assert.equal(problemReport(context, 'the refused request'), null);
    });

    test('a coordinator grants it invoice terms on the customers page', TEST, async () => {
      const { context, page } = await coordinatorPage();
      try {
        await page.goto('/console/customers');
        const row = page.locator('main tbody tr', { hasText: biz.organization });
        assert.equal((await row.locator('td[data-label="Pays by"]').textContent()).trim(), 'No method yet');
        await row.getByRole('button', { name: `Grant invoice terms to ${biz.organization}` }).click();
        await page.getByRole('status').waitFor();
        assert.equal((await page.getByRole('status').textContent()).trim(), `${biz.organization} may now be billed by invoice.`);
        const after = page.locator('main tbody tr', { hasText: biz.organization });
        assert.equal((await after.locator('td[data-label="Pays by"]').textContent()).trim(), 'Invoice');
        assert.ok(await after.getByRole('button', { name: `Withdraw invoice terms from ${biz.organization}` }).isVisible());
        assert.equal(problemReport(context, 'granting invoice terms'), null);
      } finally {
        await context.close();
      }
    });

    test('the business submits the same form again, and the request waits for approval', TEST, async () => {
      const { page, context } = business;
      const sent = await press(page, 'Submit the request');
      assert.equal(sent.status(), 200);
      assert.match(page.url(), /\/console\/portal\?done=submitted$/);
      assert.match(await page.getByRole('status').textContent(), /Your request was sent to the department/);
      const row = page.locator('main tbody tr', { hasText: title });
      assert.equal((await row.locator('td[data-label="Status"]').textContent()).trim(), 'Waiting for approval');
      requestPath = await row.locator('th a').getAttribute('href');
      assert.match(requestPath, /^\/console\/portal\/events\/[0-9a-f-]{36}$/);
      assert.equal(problemReport(context, 'submitting'), null);
    });

    test('the coordinator starts with the oldest and clears the queue with Enter on the focused Approve button', TEST, async () => {
      const { context, page } = await coordinatorPage();
      try {
        await page.goto('/console/approvals');
        const titles = (await page.locator('main tbody th a').allTextContents()).map((t) => t.trim());
        assert.ok(titles.length >= 2, `the queue holds the demo's requests and the new one: ${titles.join(' | ')}`);
        assert.equal(titles.at(-1), title, 'the newest request is last');
        await Promise.all([page.waitForURL(/\/console\/approvals\/[0-9a-f-]{36}$/), page.getByRole('link', { name: 'Start with the oldest' }).click()]);
        let previous = null;
        for (const [i, expected] of titles.entries()) {
          await page.getByRole('heading', { level: 1, name: expected, exact: true }).waitFor();
          await assert.doesNotReject(autofocused(page, APPROVE), `request ${i + 1} (${expected}): Approve has the focus`);
          assert.equal(focusProblem(await focused(page)), null, 'and shows it');
          assert.match(await page.locator('.crumbs').textContent(), new RegExp(`\\(${titles.length - i} waiting\\)`));
          if (previous) assert.match(await page.getByRole('status').textContent(), new RegExp(`^Approved “${escape(previous)}” for `));
          const id = new URL(page.url()).pathname.split('/').at(-1);
          await Promise.all([page.waitForURL(new RegExp(`[?&]last=${id}&did=approved$`)), page.keyboard.press('Enter')]);
          previous = expected;
        }
        // The queue is empty; the last approval is named, with the jobs it posted.
        assert.match(page.url(), /\/console\/approvals\?last=/);
        await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
        assert.equal(
          (await page.getByRole('status').textContent()).trim(),
          `Approved “${title}” for ${biz.organization}: 1 job posted to officers' phones.`,
        );
        assert.ok(await page.getByText('No request is waiting.').isVisible());
        assert.equal(problemReport(context, 'clearing the queue'), null);
      } finally {
        await context.close();
      }
    });

    test("the business's request now shows Approved and the job posted to officers", TEST, async () => {
      const { page, context } = business;
      await page.goto(requestPath);
      await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
      assert.equal((await page.locator('main .status').first().textContent()).trim(), 'Approved');
      assert.equal((await page.locator('dl.facts div', { hasText: 'Officers filled' }).locator('dd').textContent()).trim(), '0 of 2');
      const jobs = page.getByRole('region', { name: 'Posted to officers' }).locator('tbody tr');
      assert.equal(await jobs.count(), 1, 'one job per shift');
      assert.equal((await jobs.locator('td[data-label="Officers"]').textContent()).trim(), '0 of 2');
      assert.equal((await jobs.locator('td[data-label="Status"]').textContent()).trim(), 'Open');
      assert.equal(problemReport(context, 'the approved request'), null);
    });

    test('cancelling it shows the late fee first, and the fee stays on the request', TEST, async () => {
      const { page, context } = business;
      await Promise.all([page.waitForURL(`**${requestPath}/cancel`), page.getByRole('link', { name: 'Cancel the request' }).click()]);
      await page.getByRole('heading', { level: 1, name: `Cancel “${title}”?` }).waitFor();
      const cost = page.getByRole('region', { name: 'What cancelling now costs' });
      const fee = (await cost.locator('tr.total td').textContent()).trim();
      assert.match(fee, MONEY);
      assert.notEqual(fee, '$0.00', 'a shift starting within 24 hours costs the late fee');
      assert.match(await page.getByRole('main').textContent(), new RegExp(`Cancelling now costs ${escape(fee)}`));
      const done = await press(page, `Cancel the request and pay ${fee}`);
      assert.equal(done.status(), 200);
      assert.match(page.url(), new RegExp(`${requestPath}\\?done=cancelled$`));
      assert.equal((await page.getByRole('status').textContent()).trim(), 'The request was cancelled.');
      assert.equal((await page.locator('main .status').first().textContent()).trim(), 'Cancelled');
      assert.match(await page.getByRole('main').textContent(), new RegExp(`Cancellation cost: ${escape(fee)}`));
      const job = page.getByRole('region', { name: 'Posted to officers' }).locator('tbody tr');
      assert.equal((await job.locator('td[data-label="Status"]').textContent()).trim(), 'Called off', 'its job is called off');
      assert.equal(await page.getByRole('link', { name: 'Cancel the request' }).count(), 0, 'nothing left to cancel');
      assert.equal(problemReport(context, 'cancelling'), null);
      await context.close();
    });

    test("each side's pages refuse the other with the 403 page", TEST, async () => {
      const { browser, env, sessions } = get();
      for (const [role, paths, says] of [
        ['customer', ['/console/jobs', '/console/approvals', '/console/approvals/next', '/console/customers'], "This page is for the department's coordinators. Your organization's pages are in the portal."],
        ['coordinator', ['/console/portal', '/console/portal/events/new'], 'This page is the customer portal; coordinators work in the console.'],
      ]) {
        const context = await newContext(browser, VIEWPORTS[0], { base: env.base, storageState: sessions[role] });
        try {
          const page = await context.newPage();
          for (const path of paths) {
            context.expectStatus(new URL(path, env.base).href, 403);
            const response = await page.goto(path);
            assert.equal(response.status(), 403, `${path} as the ${role}`);
            await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
            assert.equal((await page.locator('main p').first().textContent()).trim(), says);
          }
          assert.equal(problemReport(context, `the ${role} refused`), null);
        } finally {
          await context.close();
        }
      }
    });
  });
}

/** `s` as a literal inside a RegExp. */
function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
