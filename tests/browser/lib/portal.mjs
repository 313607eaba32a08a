// The customer portal's forms, filled the way a customer fills them: each field found by its
// label (the shift rows by their ids: every row has the same four labels).

/** `date` as YYYY-MM-DD and HH:MM in the department's zone (the demo's is America/New_York). */
export function localParts(date, timeZone = 'America/New_York') {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** A shift `days` from today, local `start`–`end` (an end at or before the start is the next day). */
export function shiftInDays(days, start, end, officers) {
  return { date: localParts(new Date(Date.now() + days * 86_400_000)).date, start, end, officers };
}

/**
 * Fills the request form on `page` (/console/portal/events/new): `site` is the option's text
 * (or its start), `shifts` up to six { date, start, end, officers }.
 */
export async function fillRequest(page, r) {
  if (r.site) {
    const value = await page
      .getByLabel('Site', { exact: true })
      .locator('option', { hasText: r.site })
      .first()
      .getAttribute('value');
    await page.getByLabel('Site', { exact: true }).selectOption(value);
  }
  await page.getByLabel('Event', { exact: true }).fill(r.title);
  if (r.jobType) await page.getByLabel('Kind of work').selectOption(r.jobType);
  if (r.vehicle) await page.getByLabel('A marked police vehicle on site').check();
  for (const [i, s] of r.shifts.entries()) {
    await page.locator(`#date${i}`).fill(s.date);
    await page.locator(`#start${i}`).fill(s.start);
    await page.locator(`#end${i}`).fill(s.end);
    await page.locator(`#officers${i}`).fill(String(s.officers));
  }
  await page.getByLabel('On-site contact').fill(r.contact ?? 'Pat Quinn');
  await page.getByLabel("Contact's phone").fill(r.phone ?? '(614) 555-0100');
  if (r.instructions) await page.getByLabel('Instructions for the officers').fill(r.instructions);
}

/** Sends the form on `page` with the button named `name`; resolves to the response it lands on. */
export async function press(page, name) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return response;
}
