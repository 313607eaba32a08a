// Signing in to the console the way a person does: the sign-in form, found by its labels.

import { COORDINATOR } from './server.mjs';

/**
 * Fills the sign-in form on `page` (already on /console/sign-in) with the mouse and sends it;
 * resolves once the page a successful sign-in lands on has loaded: the jobs page for a
 * coordinator, the portal (`customer: true`) for a customer, whose <h1> is its organization.
 */
export async function signIn(page, who = COORDINATOR, { customer = false } = {}) {
  await page.getByLabel('E-mail', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await Promise.all([
    page.waitForURL(customer ? '**/console/portal' : '**/console/jobs'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  const heading = customer ? who.organization : 'Jobs';
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
}
