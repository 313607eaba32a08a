// Keyboard checks: where Tab goes, and whether the user can see where it went. Focus is moved
// only with the keyboard (page.keyboard), never with element.focus(), so `:focus-visible`
// applies exactly as it does for a person pressing Tab.

/** The most Tab presses one page may take before the walk gives up (the jobs page has ~70 stops;
 * the request form ~40, and three more presses for each date and time field's parts). */
const MAX_TAB_STOPS = 300;

/** What is focused, and how it is drawn: its outline, and the colours around the outline. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    // What the outline is seen against: the painted background just outside the ring and, with
    // an outline-offset, in the gap between the ring and the element, above, below, left and
    // right of the element (the skip link, say, sits over the dark header, not over its parent).
    const painted = (e) => {
      const c = getComputedStyle(e).backgroundColor;
      return c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c) ? c : null;
    };
    // Where no element paints, the canvas shows: the root's or body's background, else white.
    const canvas = painted(document.documentElement) || painted(document.body) || 'rgb(255, 255, 255)';
    const paint = (x, y) => {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
      for (const e of document.elementsFromPoint(x, y)) {
        if (e === el || el.contains(e)) continue;
        const c = painted(e);
        if (c) return c;
      }
      return canvas;
    };
    const width = parseFloat(cs.outlineWidth) || 0;
    const offset = parseFloat(cs.outlineOffset) || 0;
    // The middle of the part on screen (a long table is taller than the window).
    const cx = (Math.max(r.left, 0) + Math.min(r.right, innerWidth)) / 2;
    const cy = (Math.max(r.top, 0) + Math.min(r.bottom, innerHeight)) / 2;
    const backgrounds = [];
    for (const d of offset > 1 ? [offset + width + 1, offset / 2] : [offset + width + 1]) {
      for (const [x, y] of [[cx, r.top - d], [cx, r.bottom + d], [r.left - d, cy], [r.right + d, cy]]) {
        const c = paint(x, y);
        if (c && !backgrounds.includes(c)) backgrounds.push(c);
      }
    }
    const label = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || el.id || '')
      .trim()
      .replace(/\s+/g, ' ')
      .slice(0, 60);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      className: typeof el.className === 'string' ? el.className : '',
      label,
      describe: `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.className ? ` class="${el.className}"` : ''}> "${label}"`,
      focusVisible: el.matches(':focus-visible'),
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      outlineColor: cs.outlineColor,
      backgrounds,
      inViewport: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth && r.width > 0 && r.height > 0,
      isSkipLink: el.matches('a.skip'),
      inMain: !!el.closest('main'),
      // Where it is in the document: two links with the same address and text (the portal's
      // "Request officers" in the header and in <main>) are two stops.
      key: `${[...document.getElementsByTagName('*')].indexOf(el)}|${el.tagName}|${el.id}|${label}`,
    };
  });
}

/**
 * Resolves once the element `selector` has the focus, as `autofocus` gives it: the browser
 * focuses it when it next renders, which can be just after the load event; rejects after 5 s.
 */
export function autofocused(page, selector) {
  return page.waitForFunction((sel) => document.activeElement?.matches(sel) ?? false, selector, { timeout: 5_000 });
}

/** Presses Tab from where focus is until it leaves the page or comes round again; every stop. */
export async function tabStops(page) {
  const stops = [];
  const seen = new Set();
  let last = null;
  for (let i = 0; i < MAX_TAB_STOPS; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) return stops;
    // Tab within a date or time field moves between its parts (month, day, year): one stop.
    if (f.key === last) continue;
    if (seen.has(f.key)) return stops;
    seen.add(f.key);
    stops.push(f);
    last = f.key;
  }
  throw new Error(`more than ${MAX_TAB_STOPS} tab stops: is focus trapped?`);
}

/** `rgb(…)`/`rgba(…)` → [r, g, b, a]. */
export function parseColor(css) {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  if (!m) throw new Error(`cannot read the colour ${css}`);
  const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return [r, g, b, a];
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two CSS colours (the first blended over the second when translucent). */
export function contrast(fgCss, bgCss) {
  const bg = parseColor(bgCss);
  const [r, g, b, a] = parseColor(fgCss);
  const fg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Why `stop` does not show its focus, or null when it does: a solid outline at least 2 px wide,
 * with 3:1 contrast against what surrounds it (WCAG 2.2, 1.4.11 non-text contrast and 2.4.7
 * focus visible), on an element on screen, with :focus-visible matching.
 */
export function focusProblem(stop) {
  const problems = [];
  if (!stop.focusVisible) problems.push('does not match :focus-visible');
  if (stop.outlineStyle === 'none' || stop.outlineWidth < 2) {
    problems.push(`outline ${stop.outlineStyle} ${stop.outlineWidth}px`);
  } else {
    if (stop.backgrounds.length === 0) problems.push('nothing around its outline could be seen');
    for (const background of stop.backgrounds) {
      const ratio = contrast(stop.outlineColor, background);
      if (ratio < 3) {
        problems.push(
          `outline ${stop.outlineColor} on ${background} has contrast ${ratio.toFixed(2)}:1 (needs 3:1)`,
        );
      }
    }
  }
  if (!stop.inViewport) problems.push('is not on screen when focused');
  return problems.length ? `${stop.describe}: ${problems.join('; ')}` : null;
}
