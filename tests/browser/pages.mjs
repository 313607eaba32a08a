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
//   signedIn   load it with the demo coordinator's session (false: with no cookies)
//   status     the HTTP status the page answers with (default 200)
//   heading    the text of its <h1>, or (env) => text
//   autofocus  the selector of a field the page focuses on load (Tab then starts there)
//   screenshot false: not saved with OFFDUTY_SCREENSHOTS=1 (it looks like another entry)
//
// `env` holds what the suite learned after signing in: env.job = { path, title } is a job
// of the demo department with officers on its roster.

export const PAGES = [
  { name: 'sign-in', path: '/console/sign-in', signedIn: false, heading: 'Sign in to the console', autofocus: '#email' },
  { name: 'jobs', path: '/console/jobs', signedIn: true, heading: 'Jobs' },
  { name: 'job', path: (env) => env.job.path, signedIn: true, heading: (env) => env.job.title },
  { name: 'not-found', path: '/console/jobs/00000000-0000-7000-8000-000000000000', signedIn: true, status: 404, heading: 'Not found' },
  { name: 'not-found-signed-out', path: '/console/no-such-page', signedIn: false, status: 404, heading: 'Not found', screenshot: false },
];
