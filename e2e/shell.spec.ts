import { test, expect } from '@playwright/test';

test('the studio opens and detects the WebGPU adapter', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('adapter')).toContainText(/swiftshader/i);
});
