// One headless Chromium per run (Debian's package, driven by playwright-core), the two window
// sizes every page is checked at, fresh contexts (a context is a clean browser profile: its own
// cookies), and a watch on everything a page logs, so that a console error or a CSP violation
// anywhere fails the test that loaded it.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The window sizes every page is checked at. */
export const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800, isMobile: false },
  // An iPhone 12–15 in CSS pixels; `isMobile` makes Chromium honour the page's meta viewport.
  { name: 'phone', width: 390, height: 844, isMobile: true },
];

const LAUNCH_TIMEOUT_MS = 60_000;
/** Each action (click, fill, wait for a selector) and each navigation: generous for a 2-core CI box. */
export const ACTION_TIMEOUT_MS = 20_000;
export const NAVIGATION_TIMEOUT_MS = 30_000;

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
export function chromiumPath() {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no Chromium at ${candidates.join(', ')}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return found;
}

export async function launchBrowser() {
  const executablePath = chromiumPath();
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS,
      // /dev/shm is small in containers; Chromium then crashes under memory pressure.
      args: ['--disable-dev-shm-usage'],
    });
  } catch (e) {
    throw new Error(`Chromium (${executablePath}) could not be started: ${e.message}`);
  }
}

/**
 * A fresh browser context at `viewport`, optionally with the cookies of a signed-in session
 * (`storageState`), with a console watch (`context.problems()`).
 */
export async function newContext(browser, viewport, { base, storageState } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.isMobile,
    hasTouch: viewport.isMobile,
    deviceScaleFactor: 1,
    storageState,
    // The pages' CSP stays in force: see lib/axe.mjs for how axe runs without relaxing it.
    bypassCSP: false,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  watchConsole(context, base);
  return context;
}

/**
 * Records every console message of type error or warning, every uncaught page error and every
 * failed request in the context. CSP violations arrive as console errors ("… violates the
 * following Content Security Policy directive …"). Two kinds of message are expected and so
 * not recorded:
 * - "Failed to load resource: … status of N" for a document the test meant to load with that
 *   status (`context.expectStatus(url, N)`): Chromium logs every 4xx/5xx document load, including
 *   the 404 page and the 422 of a refused sign-in.
 * - The 404 of /favicon.ico: Chromium asks for it on the first page of a context and the server
 *   has no icon (a template cannot point at a data: icon, img-src 'self' refuses it). Remove
 *   this exception when the server serves one.
 */
function watchConsole(context, base) {
  const problems = [];
  const expected = new Map();
  const favicon = base ? new URL('/favicon.ico', base).href : null;
  context.expectStatus = (url, status) => expected.set(new URL(url, base).href, status);
  context.problems = () => problems.slice();
  context.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const url = msg.location()?.url || '';
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
    if (status && expected.get(url) === Number(status[1])) return;
    if (status && url === favicon && status[1] === '404') return;
    problems.push(`console ${msg.type()}: ${msg.text()}${url ? ` (${url})` : ''}`);
  });
  context.on('weberror', (err) => problems.push(`uncaught page error: ${err.error().message}`));
  context.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
}

/** The page's problems so far, as one readable message, or null when there are none. */
export function problemReport(context, what) {
  const problems = context.problems();
  if (problems.length === 0) return null;
  return `${what}: the browser reported ${problems.length} problem(s):\n  ${problems.join('\n  ')}`;
}
