import { test, expect, type Page } from '@playwright/test';
import { importPairs } from './fixtures/train';

/**
 * The Classroom lesson in the real app on the built-in model (it autoloads): both runs train with reduced steps,
 * the chart draws the answer-token loss of both and the full run's prompt-token loss under its own label, the
 * measured numbers are shown, the three models answer the same prompts, and presenter mode moves by keyboard at
 * projector size.
 */

/** Steps per run: enough for a curve, few enough for SwiftShader. */
const STEPS = 20;

test.use({ viewport: { width: 1280, height: 720 } });

async function openClassroom(page: Page) {
  await importPairs(page);
  await page.getByTestId('nav-classroom').click();
  await expect(page.getByTestId('classroom-section')).toBeVisible();
  await expect(page.getByTestId('lesson-run')).toBeEnabled({ timeout: 60_000 }); // the built-in model has loaded
}

test('the classroom completes both runs with reduced steps and shows answer-token losses for both', async ({ page }, info) => {
  test.setTimeout(240_000);
  await openClassroom(page);
  // The label rows of one example, in both modes: the masked row trains fewer labels than the full one.
  const maskedRow = page.getByTestId('lesson-labels-masked').locator('.cls-labels__counts');
  const fullRow = page.getByTestId('lesson-labels-full').locator('.cls-labels__counts');
  expect(Number(await maskedRow.getAttribute('data-trained'))).toBeLessThan(Number(await fullRow.getAttribute('data-trained')));

  await page.getByTestId('lesson-dataset').selectOption({ label: 'pairs' });
  await page.getByTestId('lesson-steps').fill(String(STEPS));
  const started = Date.now();
  await page.getByTestId('lesson-run').click();
  const status = page.getByTestId('lesson-status');
  await expect(status).toHaveAttribute('data-phase', 'training');
  await expect(status).toHaveAttribute('data-phase', 'done', { timeout: 200_000 });
  const wall = (Date.now() - started) / 1000;
  const shown = await page.getByTestId('lesson-wall').getAttribute('data-seconds');
  console.log(`classroom lesson wall time: ${wall.toFixed(1)} s (page measured ${shown} s; ${STEPS} steps per run, two runs, 3 models × 2 prompts)`);

  // Both answer-token series are drawn with one point per step; the full run's prompt-token series is labelled apart.
  const chart = page.getByTestId('lesson-chart');
  await expect(chart.locator('canvas')).toHaveCount(1);
  for (const id of ['answer-masked', 'answer-full', 'prompt-full']) await expect(page.getByTestId(`series-${id}`)).toHaveAttribute('data-points', String(STEPS));
  await expect(page.getByTestId('series-prompt-full')).toContainText('Prompt tokens — full-sequence run only');
  await expect(page.getByTestId('series-answer-masked')).toContainText('Answer tokens — masked run');
  await expect(page.getByTestId('series-answer-full')).toContainText('Answer tokens — full-sequence run');
  const num = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
  const [m, f, d] = [await num('num-masked'), await num('num-full'), await num('num-diff')];
  expect(m).toBeGreaterThan(0);
  expect(f).toBeGreaterThan(0);
  expect(d).toBeCloseTo(f - m, 6);
  await expect(page.getByTestId('num-masked')).toHaveText(m.toFixed(3));
  await expect(page.getByTestId('lesson-verdict')).toContainText('answer-token loss was');
  console.log(`answer-token loss (last 5 steps): masked ${m.toFixed(3)}, full ${f.toFixed(3)}, difference ${d.toFixed(3)}`);

  // The base model and both adapters answered the same prompts: one held out, one seen in training.
  const gens = page.getByTestId('lesson-generations');
  await expect(gens.locator('[data-testid^="lesson-prompt-"]')).toHaveCount(2);
  await expect(page.getByTestId('lesson-prompt-0')).toHaveAttribute('data-held-out', 'true');
  for (const i of [0, 1])
    for (const who of ['base', 'masked', 'full']) {
      await expect(page.getByTestId(`gen-${i}-${who}`)).toHaveAttribute('data-state', 'done');
      console.log(`prompt ${i} ${who}: ${JSON.stringify(await page.getByTestId(`gen-${i}-${who}-text`).textContent())}`);
    }
  await page.screenshot({ path: info.outputPath('classroom-page.png'), fullPage: true });

  // Presenter mode: P, one section per screen, arrows and PageUp/PageDown move, Esc leaves.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  const section = page.getByTestId('classroom-section');
  await expect(section).toHaveAttribute('data-presenter', 'true');
  await expect(page.locator('[data-testid^="lesson-section-"]')).toHaveCount(1);
  await expect(page.getByTestId('lesson-section-intro')).toBeVisible();
  await page.screenshot({ path: info.outputPath('presenter-intro.png') });
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('lesson-section-labels')).toBeVisible();
  await page.screenshot({ path: info.outputPath('presenter-labels.png') });
  await page.keyboard.press('PageDown');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('lesson-section-loss')).toBeVisible();
  await expect(page.getByTestId('presenter-pager')).toHaveAttribute('data-index', '3');
  await expect(page.getByTestId('series-answer-full')).toHaveAttribute('data-points', String(STEPS));
  await page.screenshot({ path: info.outputPath('presenter-loss.png') });
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('lesson-section-generations')).toBeVisible();
  await page.screenshot({ path: info.outputPath('presenter-generations.png') });
  await page.keyboard.press('End');
  await expect(page.getByTestId('lesson-section-overfit')).toBeVisible();
  await expect(page.getByTestId('lesson-overfit')).toContainText('held-out');
  await page.screenshot({ path: info.outputPath('presenter-overfit.png') });
  await page.keyboard.press('PageUp');
  await expect(page.getByTestId('lesson-section-generations')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('lesson-section-run')).toBeVisible();
  await page.screenshot({ path: info.outputPath('presenter-run.png') });
  await page.keyboard.press('Escape');
  await expect(section).toHaveAttribute('data-presenter', 'false');
  await expect(page.locator('[data-testid^="lesson-section-"]')).toHaveCount(6);

  // After a reload the chart comes back from the stored run history.
  await page.reload();
  await expect(page.getByTestId('series-answer-masked')).toHaveAttribute('data-points', String(STEPS));
  await expect(page.getByTestId('series-prompt-full')).toHaveAttribute('data-points', String(STEPS));
});
