// Money in the browser (issue 11, decisions 040 and 042), on the demo department's own history:
// the customer opens a paid invoice and downloads its PDF; the coordinator opens Payouts, sees
// the last pay period's officers and amounts, makes its payroll files from the keyboard, and
// downloads the payroll CSV (its rows are the table's) and the NACHA file. One story: the tests
// run in order.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { VIEWPORTS, newContext, problemReport } from '../lib/browser.mjs';

const TEST = { timeout: 120_000 };

/**
 * Registers the flows. `get()` returns { browser, env, sessions } once the suite's `before` ran.
 */
export function moneyFlows(get) {
  async function pageAs(role) {
    const { browser, env, sessions } = get();
    const context = await newContext(browser, VIEWPORTS[0], { base: env.base, storageState: sessions[role] });
    return { context, page: await context.newPage() };
  }

  describe('money: invoices and payouts', () => {
    test('the customer opens a paid invoice and downloads its PDF', TEST, async () => {
      const { context, page } = await pageAs('customer');
      try {
        await page.goto('/console/portal/invoices');
        await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
        const paid = page.locator('main tbody tr', { hasText: 'paid' }).first();
        assert.ok(await paid.count(), 'the demo customer has a paid invoice');
        await Promise.all([page.waitForURL(/\/console\/portal\/invoices\/[0-9a-f-]{36}$/), paid.getByRole('link').click()]);
        const pdfLink = page.getByRole('link', { name: /PDF/ });
        const href = await pdfLink.getAttribute('href');
        const pdf = await page.request.get(href);
        assert.equal(pdf.status(), 200);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
        assert.equal(problemReport(context, 'a paid invoice'), null);
      } finally {
        await context.close();
      }
    });

    test('the coordinator makes the last pay period\'s payroll files from the keyboard and downloads them', TEST, async () => {
      const { context, page } = await pageAs('coordinator');
      try {
        await page.goto('/console/payouts');
        const heading = page.getByRole('heading', { level: 2, name: /^Last pay period: / });
        await heading.waitFor();
        const period = (await heading.textContent()).replace('Last pay period: ', '').trim();
        const button = page.getByRole('button', { name: `Make the payroll files for ${period}` });
        assert.ok(await button.isVisible(), 'the demo leaves the last period for the coordinator to pay');
        const rows = await page.locator('table').first().locator('tbody tr').count();
        assert.ok(rows > 0, 'officers to pay');
        const caption = (await page.locator('table').first().locator('caption').textContent()).trim();
        // From the keyboard: focus the button, Enter.
        await button.focus();
        await Promise.all([page.waitForURL('**/console/payouts?done=batch'), page.keyboard.press('Enter')]);
        assert.equal(
          (await page.getByRole('status').textContent()).trim(),
          'The payroll files are made and the timecards marked paid. Download them below.',
        );
        // The period is paid: no button, and its row is first in the files.
        assert.equal(await page.getByRole('button', { name: /^Make the payroll files/ }).count(), 0);
        const files = page.getByRole('table', { name: /pay periods? paid/ });
        const first = files.locator('tbody tr').first();
        assert.equal((await first.locator('th').textContent()).trim(), period);
        const csvHref = await first.getByRole('link', { name: /Payroll CSV/ }).getAttribute('href');
        const csv = await page.request.get(csvHref);
        assert.equal(csv.status(), 200);
        assert.match(csv.headers()['content-type'], /^text\/csv/);
        const lines = (await csv.text()).split('\r\n').filter(Boolean);
        assert.equal(lines[0].split(',').slice(0, 3).join(','), 'officer_id,badge,name');
        assert.equal(lines.length - 1, rows, `the CSV has a line per officer the page listed (${caption})`);
        const achHref = await first.getByRole('link', { name: /NACHA file/ }).getAttribute('href');
        const ach = await page.request.get(achHref);
        assert.equal(ach.status(), 200);
        const records = (await ach.text()).split('\n').filter(Boolean);
        assert.ok(records.every((r) => r.length === 94), 'every record is 94 characters');
        assert.equal(records.length % 10, 0, 'blocked by 10');
        assert.equal(records.filter((r) => r.startsWith('6')).length, rows, 'an entry per officer');
        assert.equal(problemReport(context, 'making the payroll files'), null);
      } finally {
        await context.close();
      }
    });
  });
}
