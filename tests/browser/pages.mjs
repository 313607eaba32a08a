// Every console page the suite checks in the browser. ADDING A PAGE IS ONE ENTRY HERE: each
// entry is loaded at every window size in lib/browser.mjs (VIEWPORTS) and gets the same checks —
// status and security headers as the browser received them, its title and one <h1>, axe-core
// (no serious or critical violation), no horizontal scroll, Tab reaching the skip link first and
// a visible focus on every tab stop, the skip link moving focus into <main>, and nothing logged
// to the console (no error, no CSP violation). With OFFDUTY_SCREENSHOTS=1 it is also saved as
// docs/screenshots/console-<name>.png (laptop) and console-<name>-phone.png (phone).
//
//   name       the screenshot's and the tests' name (keep it stable: the README shows some)
//   path       the address, or (env) => address for pages found at run time
//   as         whose session loads it: 'coordinator' (the demo coordinator), 'customer' (the
//              demo's Ohio State Athletics), or absent: with no cookies
//   then       (page, env) => response: what the user does on `path` to reach the page checked
//              (a form sent); the checks apply to the page it lands on, at `lands`
//   lands      the address `then` lands on
//   status     the HTTP status the page answers with (default 200)
//   heading    the text of its <h1>, or (env) => text
//   autofocus  the selector of what the page focuses on load (Tab then starts there)
//   screenshot false: not saved with OFFDUTY_SCREENSHOTS=1 (it looks like another entry);
//              { fullPage: true }: the whole page, not the window; { at: selector }: the
//              window scrolled to that element
//
// `env` holds what the suite learned after signing in: env.job = { path, title } is a job
// of the demo department with officers on its roster; env.request = { path, title } the demo
// customer's oldest request waiting for approval; env.approval = { path, title } the oldest
// request in the coordinator's queue; env.department the department's name; env.officer =
// { path, name } the first officer on the officers page; env.depositAccount = { path, name } an
// officer's deposit-account form; env.affiliate = { path, name } the demo's affiliate (047).

import { fillRequest, press, shiftInDays } from './lib/portal.mjs';

export const PAGES = [
  { name: 'sign-in', path: '/console/sign-in', heading: 'Sign in to the console', autofocus: '#email' },
  { name: 'jobs', path: '/console/jobs', as: 'coordinator', heading: 'Jobs' },
  { name: 'job', path: (env) => env.job.path, as: 'coordinator', heading: (env) => env.job.title },
  { name: 'not-found', path: '/console/jobs/00000000-0000-7000-8000-000000000000', as: 'coordinator', status: 404, heading: 'Not found' },
  { name: 'not-found-signed-out', path: '/console/no-such-page', status: 404, heading: 'Not found', screenshot: false },

  // The coordinator's approval queue and customers.
  { name: 'approvals', path: '/console/approvals', as: 'coordinator', heading: 'Approvals' },
  {
    name: 'approval',
    path: (env) => env.approval.path,
    as: 'coordinator',
    heading: (env) => env.approval.title,
    // Enter approves: the queue is cleared from the keyboard.
    autofocus: 'form[action$="/approve"] button[type="submit"]',
    screenshot: { fullPage: true },
  },
  { name: 'customers', path: '/console/customers', as: 'coordinator', heading: 'Customers' },
  // Money, notifications and the coordinator's own account.
  { name: 'invoices', path: '/console/invoices', as: 'coordinator', heading: 'Invoices' },
  { name: 'disputes', path: '/console/disputes', as: 'coordinator', heading: 'Disputed timecards' },
  { name: 'deliveries', path: '/console/deliveries', as: 'coordinator', heading: 'Deliveries' },
  { name: 'payouts', path: '/console/payouts', as: 'coordinator', heading: 'Payouts', screenshot: { fullPage: true } },
  { name: 'payroll-settings', path: '/console/payouts/settings', as: 'coordinator', heading: 'Pay period and payout method' },
  // Paying officers directly (decision 049): payout accounts, the 1099-NEC summary, and the two
  // public pages the payment provider sends an officer back to.
  { name: 'payout-accounts', path: '/console/payouts/payout-accounts', as: 'coordinator', heading: 'Payout accounts' },
  { name: 'nec-summary', path: '/console/payouts/1099?year=2026', as: 'coordinator', heading: '1099-NEC summary, 2026' },
  { name: 'payout-setup-done', path: '/console/payout-setup/done', heading: 'Back from the payment provider' },
  { name: 'payout-setup-expired', path: '/console/payout-setup/expired', heading: 'This set-up link has expired', screenshot: false },
  { name: 'deposit-accounts', path: '/console/payouts/accounts', as: 'coordinator', heading: 'Deposit accounts' },
  { name: 'deposit-account', path: (env) => env.depositAccount.path, as: 'coordinator', heading: (env) => `Deposit account of ${env.depositAccount.name}` },
  { name: 'alerts', path: '/console/alerts', as: 'coordinator', heading: 'Alerts' },
  { name: 'ratings', path: '/console/ratings', as: 'coordinator', heading: 'Ratings' },
  { name: 'event-ratings', path: (env) => `${env.request.path}/ratings`, as: 'customer', heading: 'Rate the officers' },
  { name: 'two-factor', path: '/console/account/two-factor', as: 'coordinator', heading: 'Two-factor sign-in' },
  // The coordinator's remaining pages (decision 045).
  { name: 'rate-card', path: '/console/rate-card', as: 'coordinator', heading: 'Rate card', screenshot: { fullPage: true } },
  { name: 'timecards', path: '/console/timecards', as: 'coordinator', heading: 'Timecards' },
  { name: 'officers', path: '/console/officers', as: 'coordinator', heading: 'Officers' },
  { name: 'officer', path: (env) => env.officer.path, as: 'coordinator', heading: (env) => env.officer.name },
  { name: 'audit', path: '/console/audit', as: 'coordinator', heading: 'Audit log' },
  { name: 'settings', path: '/console/settings', as: 'coordinator', heading: 'Department settings', screenshot: { fullPage: true } },
  // Reports (decision 044): the catalogue, one report with its table and schedules, a refused period.
  { name: 'reports', path: '/console/reports', as: 'coordinator', heading: 'Reports' },
  { name: 'report', path: '/console/reports/hours-by-officer', as: 'coordinator', heading: 'Hours and earnings per officer', screenshot: { fullPage: true } },
  { name: 'report-fairness', path: '/console/reports/fairness-by-rule', as: 'coordinator', heading: 'Fairness by award rule (Gini)' },
  // Affiliates (decision 047): the list, the invitation form, the demo's affiliate, a link that cannot be used.
  { name: 'affiliates', path: '/console/affiliates', as: 'coordinator', heading: 'Affiliates' },
  { name: 'affiliate-new', path: '/console/affiliates/new', as: 'coordinator', heading: 'Invite a security firm', autofocus: '#name' },
  { name: 'affiliate', path: (env) => env.affiliate.path, as: 'coordinator', heading: (env) => env.affiliate.name, screenshot: { fullPage: true } },
  { name: 'invitation-unusable', path: '/console/invitation?token=oda1.unknown', status: 410, heading: 'This invitation cannot be used' },
  { name: 'report-bad-period', path: '/console/reports/jobs-filled?from=2026-03-05&to=2026-03-01', as: 'coordinator', status: 422, heading: 'Jobs filled and unfilled', screenshot: false },

  // The customer portal.
  { name: 'sign-up', path: '/console/sign-up', heading: (env) => `Hire officers from ${env.department}`, autofocus: '#organization' },
  { name: 'portal', path: '/console/portal', as: 'customer', heading: 'Ohio State Athletics' },
  { name: 'site-new', path: '/console/portal/sites/new', as: 'customer', heading: 'Add a site', autofocus: '#name' },
  { name: 'request-new', path: '/console/portal/events/new', as: 'customer', heading: 'Request officers' },
  {
    name: 'request-estimate',
    path: '/console/portal/events/new',
    as: 'customer',
    then: async (page) => {
      await fillRequest(page, {
        site: 'Ohio Stadium',
        title: 'Summer concert: lots and gates',
        jobType: 'traffic',
        vehicle: true,
        shifts: [shiftInDays(20, '16:00', '23:30', 4), shiftInDays(21, '16:00', '23:30', 2)],
        instructions: 'Meet at the Gate 10 command post.',
      });
      return press(page, 'See the estimate');
    },
    lands: '/console/portal/events',
    heading: 'Request officers',
    screenshot: { at: 'main .table-wrap' },
  },
  { name: 'request', path: (env) => env.request.path, as: 'customer', heading: (env) => env.request.title },
  { name: 'portal-timecards', path: '/console/portal/timecards', as: 'customer', heading: 'Timecards' },
  { name: 'portal-invoices', path: '/console/portal/invoices', as: 'customer', heading: 'Invoices' },
  { name: 'portal-reports', path: '/console/portal/reports', as: 'customer', heading: 'Reports' },
  { name: 'portal-report', path: '/console/portal/reports/customer-shifts', as: 'customer', heading: "Officers' shifts at our sites" },
  { name: 'request-cancel', path: (env) => `${env.request.path}/cancel`, as: 'customer', heading: (env) => `Cancel “${env.request.title}”?` },
  // A customer on a coordinator's page.
  { name: 'forbidden', path: '/console/approvals', as: 'customer', status: 403, heading: 'Not allowed', screenshot: false },
];
