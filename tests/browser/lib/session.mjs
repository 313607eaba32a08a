// Signing in to the console the way a coordinator does: the sign-in form, found by its labels.

import { COORDINATOR } from './server.mjs';

/**
 * Fills the sign-in form on `page` (already on /console/sign-in) with the mouse and sends it;
 * resolves once the jobs page, where a successful sign-in lands, has loaded.
 */
export async function signIn(page, who = COORDINATOR) {
  await page.getByLabel('E-mail', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await Promise.all([
    page.waitForURL('**/console/jobs'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
}
