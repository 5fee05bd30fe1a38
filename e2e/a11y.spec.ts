import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/**
 * Every page passes axe-core with no serious or critical violation, in the light and the dark theme (the studio
 * follows prefers-color-scheme). The Dataset page is checked with examples and the token view open.
 */
const ROUTES = ['model', 'dataset', 'train', 'playground', 'classroom', 'evaluate', 'export', 'device'] as const;

async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no serious or critical violations on any page (${scheme})`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.addInitScript(() => localStorage.setItem('studio.autoloadBuiltin', 'off'));
    const found: Record<string, string[]> = {};
    for (const route of ROUTES) {
      await page.goto(`/#/${route}`);
      await expect(page.getByTestId(`page-${route}`)).toBeVisible();
      await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', /ready|unavailable/);
      if (route === 'dataset') {
        await page.getByTestId('add-starters').click();
        await page.getByTestId('example-row').first().click();
        await page.getByTestId('load-sample-tokenizer').click();
        await expect(page.getByTestId('token-chip').first()).toBeVisible();
      }
      found[route] = await serious(page);
    }
    console.log(`[axe ${scheme}] ${JSON.stringify(found, null, 1)}`);
    expect(found).toEqual(Object.fromEntries(ROUTES.map((r) => [r, []])));
  });
}

test('axe: the model, train, playground, classroom and evaluate pages with the built-in model loaded (light and dark)', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/#/model');
  await expect(page.getByTestId('model-name')).toHaveText('studio-base', { timeout: 60_000 });
  const found: Record<string, string[]> = {};
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const route of ['model', 'train', 'playground', 'classroom', 'evaluate'] as const) {
      await page.getByTestId(`nav-${route}`).click();
      await expect(page.getByTestId(`page-${route}`)).toBeVisible();
      found[`${route} (${scheme})`] = await serious(page);
    }
  }
  console.log(`[axe with a model] ${JSON.stringify(found, null, 1)}`);
  expect(Object.values(found).flat()).toEqual([]);
});

test('keyboard: Tab reaches the navigation with a visible focus ring', async ({ page }) => {
  await page.goto('/#/model');
  await page.keyboard.press('Tab'); // skip link
  await expect(page.locator('.skip-link')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return { tag: el.tagName, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' };
  });
  expect(ring.outline || ring.shadow, JSON.stringify(ring)).toBe(true);
});
