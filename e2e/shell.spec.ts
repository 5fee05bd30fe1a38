import { test, expect, type Page } from '@playwright/test';

/** The studio's app shell: device detection, navigation, and what happens when the GPU is missing, lost or a section crashes. */

const SECTIONS = ['model', 'dataset', 'train', 'export'] as const;
const UNITS: Record<string, number> = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

async function waitForGpu(page: Page, status: 'ready' | 'unavailable') {
  await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', status);
}

/** The shell's container for the open page; holds the section (or its gate or error) and nothing else. */
function sectionPage(page: Page, name: string) {
  return page.getByTestId(`page-${name}`);
}

test('detects the SwiftShader adapter and lists its real features and limits', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/#\/model$/);
  await waitForGpu(page, 'ready');
  await expect(page.getByTestId('device-chip')).toContainText(/swiftshader/i);

  // What the browser itself reports, to compare the page against.
  const actual = await page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no adapter in test');
    const limits: Record<string, number> = {};
    for (const name of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxUniformBufferBindingSize'])
      limits[name] = Number(adapter.limits[name as keyof GPUSupportedLimits]);
    return { features: [...adapter.features].map(String), limits };
  });

  await page.getByTestId('device-chip').click();
  await expect(page).toHaveURL(/#\/device$/);
  await expect(page.getByTestId('device-status')).toHaveText('Ready');
  await expect(page.getByTestId('adapter-name')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('adapter-kind')).toHaveText('Software (CPU)');
  await expect(page.getByTestId('software-note')).toContainText('hundreds of times faster');

  for (const feature of ['shader-f16', 'subgroups', 'timestamp-query']) {
    const row = page.getByTestId(`feature-${feature}`);
    const present = actual.features.includes(feature);
    await expect(row).toHaveAttribute('data-enabled', String(present));
    await expect(row.locator('.badge')).toHaveText(present ? 'Enabled' : 'Absent');
  }
  await expect(page.getByTestId('feature-shader-f16')).toContainText(/f16|memory/);
  await expect(page.getByTestId('feature-timestamp-query')).toContainText('per-kernel timing');

  // Byte limits are shown in binary units and must round-trip to the adapter's value (within rounding).
  for (const name of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxUniformBufferBindingSize']) {
    const cell = page.getByTestId(`limit-${name}`).getByTestId('limit-value');
    await expect(cell).toHaveAttribute('data-raw', String(actual.limits[name]));
    const text = (await cell.textContent())!.trim();
    const m = /^([\d,.]+) (KiB|MiB|GiB|TiB)$/.exec(text);
    expect(m, `${name} shown as "${text}"`).not.toBeNull();
    const shown = Number(m![1].replace(/,/g, '')) * UNITS[m![2]];
    expect(Math.abs(shown - actual.limits[name]) / actual.limits[name]).toBeLessThan(0.01);
  }
  for (const name of ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension']) {
    await expect(page.getByTestId(`limit-${name}`).getByTestId('limit-value')).toHaveText(
      actual.limits[name].toLocaleString('en-US'),
    );
  }
});

test('navigates by clicks, keyboard, URL hash, back button and reload', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/#\/model$/);
  await expect(sectionPage(page, 'model')).toBeVisible();
  await waitForGpu(page, 'ready');

  for (const name of SECTIONS) {
    await page.getByTestId(`nav-${name}`).click();
    await expect(page).toHaveURL(new RegExp(`#/${name}$`));
    await expect(sectionPage(page, name)).toBeVisible();
    await expect(page.getByTestId(`nav-${name}`)).toHaveAttribute('aria-current', 'page');
    for (const other of SECTIONS.filter((o) => o !== name))
      await expect(page.getByTestId(`nav-${other}`)).not.toHaveAttribute('aria-current', /.*/);
  }
  await expect(page).toHaveTitle(/Export/);

  await page.goBack();
  await expect(page).toHaveURL(/#\/train$/);
  await expect(sectionPage(page, 'train')).toBeVisible();
  await page.goBack();
  await expect(sectionPage(page, 'dataset')).toBeVisible();

  // Keyboard: nav entries are links, reachable and followed with Enter.
  await page.getByTestId('nav-device').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/device$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Device' })).toBeVisible();

  // Typing an address and reloading keep the section.
  await page.goto('/#/export');
  await expect(sectionPage(page, 'export')).toBeVisible();
  await page.reload();
  await expect(sectionPage(page, 'export')).toBeVisible();
  await expect(page.getByTestId('nav-export')).toHaveAttribute('aria-current', 'page');

  // The skip link moves focus to the content without touching the hash the router lives in.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
  await expect(page).toHaveURL(/#\/export$/);

  // An unknown address explains itself instead of showing nothing.
  await page.goto('/#/nonsense');
  await expect(page.getByTestId('not-found')).toContainText('#/nonsense');
  await page.getByTestId('not-found').getByRole('link', { name: 'Dataset' }).click();
  await expect(sectionPage(page, 'dataset')).toBeVisible();
});

test('without WebGPU it explains what to do and the dataset stays usable', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Object.getPrototypeOf(navigator) as { gpu?: unknown }).gpu;
  });
  await page.goto('/#/device');
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
  await waitForGpu(page, 'unavailable');
  await expect(page.getByTestId('device-chip')).toHaveText(/No WebGPU/);

  const panel = page.getByTestId('gpu-unavailable');
  await expect(panel).toContainText('This browser does not support WebGPU');
  await expect(panel).toContainText('Chrome or Edge 113 or newer');
  await expect(panel).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await expect(panel).toContainText('Safari 26+');
  await expect(panel).toContainText('Firefox 141+');
  await expect(panel).toContainText('https://');
  await expect(panel).toContainText('http://localhost');

  // Train needs the GPU: it is replaced by an explanation, not rendered half-working.
  await page.getByTestId('nav-train').click();
  await expect(sectionPage(page, 'train').getByTestId('gpu-gate')).toContainText('Train needs WebGPU');
  await expect(sectionPage(page, 'train').locator(':scope > *')).toHaveCount(1); // the gate and nothing else

  // The dataset does not: reachable from the gate, rendered, with a standing notice.
  await page.getByTestId('gpu-gate').getByRole('link', { name: 'Work on the dataset' }).click();
  await expect(page).toHaveURL(/#\/dataset$/);
  await expect(sectionPage(page, 'dataset')).toBeVisible();
  await expect(page.getByTestId('gpu-unavailable-banner')).toContainText('training is turned off');
  await page.getByTestId('nav-model').click();
  await expect(sectionPage(page, 'model')).toBeVisible();
});

test('with WebGPU but no adapter it gives hardware-acceleration advice', async ({ page }) => {
  await page.addInitScript(() => {
    GPU.prototype.requestAdapter = async () => null;
  });
  await page.goto('/#/device');
  await waitForGpu(page, 'unavailable');
  const panel = page.getByTestId('gpu-unavailable');
  await expect(panel).toContainText('WebGPU found no usable GPU');
  await expect(panel).toContainText('chrome://settings/system');
  await expect(panel).toContainText('chrome://gpu');
  await expect(page.getByTestId('device-chip')).toHaveText(/No GPU adapter/);
});

test('a lost device shows a banner with the reason, and Reconnect restores it', async ({ page }) => {
  await page.goto('/#/dataset');
  await waitForGpu(page, 'ready');
  await expect(page.getByTestId('device-lost-banner')).toHaveCount(0);

  expect(await page.evaluate(() => window.__studio!.loseDevice())).toBe(true);
  const banner = page.getByTestId('device-lost-banner');
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('device-lost-reason')).toContainText('destroyed');
  await expect(page.getByTestId('device-chip')).toHaveAttribute('data-status', 'lost');
  await expect(sectionPage(page, 'dataset')).toBeVisible(); // the section itself keeps working
  expect(await page.evaluate(() => window.__studio!.loseDevice())).toBe(false); // no device while lost

  await banner.getByRole('button', { name: 'Reconnect GPU' }).click();
  await expect(banner).toHaveCount(0);
  await waitForGpu(page, 'ready');
  await page.getByTestId('nav-device').click();
  await expect(page.getByTestId('device-status')).toHaveText('Ready');

  // The new device is live and watched: losing it again is noticed again.
  expect(await page.evaluate(() => window.__studio!.loseDevice())).toBe(true);
  await expect(page.getByTestId('device-lost-banner')).toBeVisible();
  await expect(page.getByTestId('device-status')).toHaveText('Lost');
});

test('a crashing section shows the error with a retry, and the rest of the studio keeps working', async ({ page }) => {
  await page.goto('/#/export');
  await expect(sectionPage(page, 'export')).toBeVisible();

  await page.evaluate(() => window.__studio!.crashSection());
  const error = page.getByTestId('section-error');
  await expect(error).toContainText('The Export section stopped working');
  await expect(error).toContainText('Simulated crash');
  await expect(sectionPage(page, 'export').locator(':scope > *')).toHaveCount(1); // the error replaces the section
  await expect(page.getByTestId('nav-dataset')).toBeVisible();

  await error.getByRole('button', { name: 'Try again' }).click();
  await expect(error).toHaveCount(0);
  await expect(sectionPage(page, 'export')).toBeVisible();
  await expect(sectionPage(page, 'export')).not.toBeEmpty();

  await page.evaluate(() => window.__studio!.crashSection());
  await expect(error).toBeVisible();
  await page.getByTestId('nav-dataset').click();
  await expect(sectionPage(page, 'dataset')).toBeVisible();
  await expect(error).toHaveCount(0);
});
