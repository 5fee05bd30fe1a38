import { test, expect, type Page } from '@playwright/test';
import { ROUTES } from '../src/ui/shell/routes';

/**
 * Keyboard audit of every page with the built-in model loaded: pressing Tab from the top of the page reaches every
 * visible control (button, link, field, focusable widget) without getting stuck, and each one shows a visible focus
 * indicator (its outline or box-shadow differs from the unfocused state). The heatmap over the token view is operable
 * with the arrow keys and spells out the selected token in text (colour is not the only carrier).
 */

interface Stop {
  key: string;
  label: string;
}

/** Marks every visible, enabled, tabbable control with data-kb="i" and returns their labels. */
async function tabbables(page: Page): Promise<Stop[]> {
  return page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const out: { key: string; label: string }[] = [];
    let i = 0;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el.tabIndex < 0 || (el as HTMLButtonElement).disabled || el.closest('[inert]')) continue;
      if (el instanceof HTMLInputElement && el.type === 'hidden') continue;
      // Inside a closed <details> only its summary is reachable (the rest is not rendered until it opens).
      const closed = el.closest('details:not([open])');
      if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) continue;
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
      // Radio groups are one tab stop: only the checked (or first) radio of a name is reachable by Tab.
      if (el instanceof HTMLInputElement && el.type === 'radio') {
        const group = Array.from(document.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${el.name}"]`));
        const stop = group.find((g) => g.checked) ?? group[0];
        if (stop !== el) continue;
      }
      el.dataset.kb = String(i);
      out.push({ key: String(i++), label: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"` });
    }
    return out;
  });
}

/** Presses Tab until focus leaves the page or comes back round; returns the data-kb keys reached, in order. */
async function tabThrough(page: Page, max: number): Promise<{ reached: string[]; stuck: string | null }> {
  // Start from the top of the document: focus a throw-away element placed before everything else.
  await page.evaluate(() => {
    const start = document.createElement('div');
    start.tabIndex = -1;
    start.id = 'kb-start';
    document.body.prepend(start);
    start.focus();
  });
  const reached: string[] = [];
  let last = '';
  let repeats = 0;
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    if (n === 0) await page.evaluate(() => document.getElementById('kb-start')?.remove());
    const key = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return '';
      return el.dataset.kb ?? `(${el.tagName.toLowerCase()}.${el.className})`;
    });
    if (key === '' && reached.length > 0) break;
    if (key === last) {
      if (++repeats >= 2) return { reached, stuck: key };
    } else repeats = 0;
    last = key;
    if (key && reached.includes(key)) break;
    if (key) reached.push(key);
  }
  return { reached, stuck: null };
}

/** Controls whose focused style equals their unfocused style (no visible focus indicator). */
async function withoutFocusRing(page: Page, keys: string[]): Promise<string[]> {
  return page.evaluate((keys) => {
    const look = (el: HTMLElement) => {
      const s = getComputedStyle(el);
      return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor, s.backgroundColor].join('|');
    };
    const bad: string[] = [];
    for (const k of keys) {
      const el = document.querySelector<HTMLElement>(`[data-kb="${k}"]`);
      if (!el) continue;
      el.blur();
      const before = look(el);
      el.focus();
      const after = look(el);
      const s = getComputedStyle(el);
      const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      if (!ring || before === after) bad.push(`${el.tagName.toLowerCase()}[data-testid=${el.dataset.testid ?? ''}] "${(el.textContent ?? '').trim().slice(0, 30)}"`);
    }
    return bad;
  }, keys);
}

/** The Dataset page with the starter examples and the first example open in the editor. */
async function openFirstExample(page: Page): Promise<void> {
  await page.getByTestId('nav-dataset').click();
  const first = page.getByTestId('example-row').first();
  await expect(page.getByTestId('add-starters').or(first)).toBeVisible();
  if (await page.getByTestId('add-starters').isVisible()) await page.getByTestId('add-starters').click();
  await first.click();
}

test('keyboard: every control on every page is reachable by Tab and shows where focus is', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/#/model');
  await expect(page.getByTestId('model-name')).toHaveText('studio-base', { timeout: 60_000 });
  const report: Record<string, { controls: number; unreachable: string[]; stuck: string | null; noRing: string[] }> = {};
  for (const route of ROUTES.map((r) => r.id)) {
    await page.getByTestId(`nav-${route}`).click();
    await expect(page.getByTestId(`page-${route}`)).toBeVisible();
    if (route === 'dataset') {
      await openFirstExample(page);
      await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 30_000 });
    }
    await page.mouse.move(0, 0);
    // Twice: as the page opens, then with every disclosure (<details>) expanded, so folded controls are audited too.
    for (const pass of ['', ' (details open)']) {
      if (pass) {
        const folded = await page.evaluate(() => Array.from(document.querySelectorAll('details:not([open])')).map((d) => ((d as HTMLDetailsElement).open = true)).length);
        if (folded === 0) continue;
      }
      const stops = await tabbables(page);
      const { reached, stuck } = await tabThrough(page, stops.length + 40);
      const unreachable = stops.filter((s) => !reached.includes(s.key)).map((s) => s.label);
      const noRing = await withoutFocusRing(page, reached.filter((k) => /^\d+$/.test(k)));
      report[route + pass] = { controls: stops.length, unreachable, stuck, noRing };
    }
  }
  console.log(`[keyboard] ${JSON.stringify(report, null, 1)}`);
  for (const [route, r] of Object.entries(report)) {
    expect(r.controls, route).toBeGreaterThan(0);
    expect({ route, stuck: r.stuck, unreachable: r.unreachable, noRing: r.noRing }).toEqual({ route, stuck: null, unreachable: [], noRing: [] });
  }
});

test('keyboard: the loss heatmap is one tab stop, arrow keys walk the tokens and the line below names each one', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/model');
  await expect(page.getByTestId('model-name')).toHaveText('studio-base', { timeout: 60_000 });
  await openFirstExample(page);
  await page.getByTestId('heatmap-toggle').focus();
  await page.keyboard.press('Space');
  const heat = page.getByTestId('loss-heatmap');
  await expect(heat).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  // From the toggle, Tab passes the model and text-size selects and lands on the chips (one stop for all tokens).
  const chips = page.getByTestId('heatmap-chips');
  for (let i = 0; i < 6 && !(await chips.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(chips).toBeFocused();
  const detail = page.getByTestId('heatmap-detail');
  await expect(detail).toContainText('#0 ');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(detail).toContainText('#2 ');
  await page.keyboard.press('End');
  const n = await page.getByTestId('heat-chip').count();
  await expect(detail).toContainText(`#${n - 1} `);
  // Masked and scored positions are told apart in words, not only by grey vs colour.
  const states = await page.getByTestId('heat-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
  for (const [state, words] of [['masked', 'label −100'], ['scored', 'nats (p = ']] as const) {
    const at = states.indexOf(state);
    expect(at, state).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Home');
    for (let i = 0; i < at; i++) await page.keyboard.press('ArrowRight');
    await expect(detail).toContainText(`#${at} `);
    await expect(detail).toContainText(words);
  }
  // No inner scroll box: the chips grow with the page (no clipped rows).
  const clip = await page.getByTestId('heatmap-chips').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
  expect(clip.scroll).toBeLessThanOrEqual(clip.client + 1);
});
