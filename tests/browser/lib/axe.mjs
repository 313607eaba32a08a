// axe-core in the page, under the page's own Content-Security-Policy.
//
// How it gets in: the console's CSP has no script-src at all (default-src 'none'), so
// `page.addScriptTag` is refused like any other script. Two ways round it:
//  1. a context with `bypassCSP: true`, used only for the scan; or
//  2. evaluating axe's source through the DevTools protocol (`page.evaluate(source)` is CDP's
//     Runtime.evaluate), which the page's CSP does not govern.
// We use 2: the page scanned is the very page the other checks load, with its real policy in
// force. With `bypassCSP` the browser would also apply anything the policy blocks — an inline
// style, an inline script — so axe would judge colours and layout the users never see, and a
// CSP violation could go unnoticed in the very context that checks it. axe itself needs no
// eval or network, so it runs under the policy; the console watch (lib/browser.mjs) stays on
// during the scan and would report it if the scan tripped the policy.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail a test; `moderate` and `minor` are printed as notes. */
const FAILING = new Set(['serious', 'critical']);

/** Runs axe (every rule of axe-core's default set: WCAG 2.x A/AA and best practices) on `page`. */
export async function axeScan(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(() =>
    // The v1 reporter is v2 plus each element's failureSummary (what to fix), which we print.
    window.axe.run(document, { resultTypes: ['violations'], reporter: 'v1' }),
  );
}

function describe(violation) {
  const nodes = violation.nodes
    .slice(0, 5)
    .map((n) => {
      // "Fix any of the following:" (or "all of"), then one reason a line: kept apart by "; ".
      const summary = (n.failureSummary || '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join('; ')
        .replace(/:; /g, ': ');
      const html = n.html.length > 120 ? `${n.html.slice(0, 117)}...` : n.html;
      return `      ${n.target.join(' ')}  ${html}\n        ${summary}`;
    })
    .join('\n');
  const more = violation.nodes.length > 5 ? `\n      … and ${violation.nodes.length - 5} more` : '';
  return `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.nodes.length} element(s))\n    ${violation.helpUrl}\n${nodes}${more}`;
}

/**
 * Fails when axe finds a violation of impact `serious` or `critical` on `page`, listing each
 * with the elements and what to fix; prints lesser ones. `what` names the page and window.
 */
export async function expectNoSeriousAxeViolations(page, what) {
  const { violations } = await axeScan(page);
  const failing = violations.filter((v) => FAILING.has(v.impact));
  const notes = violations.filter((v) => !FAILING.has(v.impact));
  if (notes.length > 0) {
    console.log(`axe notes (not failing) on ${what}:\n${notes.map(describe).join('\n')}`);
  }
  if (failing.length > 0) {
    throw new Error(
      `axe: ${failing.length} serious or critical violation(s) on ${what}:\n${failing.map(describe).join('\n')}`,
    );
  }
  return violations;
}
