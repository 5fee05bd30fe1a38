/**
 * Kernels on the browser's own WebGPU adapter (Chromium, SwiftShader here) against the CPU references, through the
 * lab page (lab.html → src/lab/). One test per registered check in src/lab/checks/registry.ts.
 */
import { test, expect } from '@playwright/test';
import { CHECKS } from '../src/lab/checks/registry';

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.log(`[lab page error] ${e.message}`));
  await page.goto('/lab.html');
  await page.waitForFunction(() => window.lab !== undefined);
});

test('the lab page lists its checks and reaches a WebGPU adapter', async ({ page }) => {
  const names = await page.evaluate(() => window.lab!.checks());
  expect(names).toEqual(Object.keys(CHECKS));
  const adapter = await page.evaluate(() => window.lab!.adapter());
  expect(adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  await expect(page.evaluate(() => window.lab!.check('no-such-kernel'))).rejects.toThrow(/Unknown lab check "no-such-kernel"/);
});

for (const name of Object.keys(CHECKS)) {
  test(`${name} matches the CPU reference on the browser adapter`, async ({ page }) => {
    for (const seed of [1, 2]) {
      const result = await page.evaluate(({ name, seed }) => window.lab!.check(name, { seed }), { name, seed });
      expect(result.cases.length, 'a check must run cases').toBeGreaterThan(0);
      for (const c of result.cases) {
        expect.soft(c.ok, `${name} ${c.label} on ${result.adapter}: element ${c.worst.index} is ${c.worst.actual}, ` +
          `expected ${c.worst.expected} (rtol ${result.tolerance.rtol}, atol ${result.tolerance.atol})`).toBe(true);
      }
      expect(result.ok).toBe(true);
    }
  });
}
