/**
 * `labels` honours the per-turn train flag in every mode, like the token view and the trainer: an OpenAI-style
 * `weight: 0` reply is never trained, and examples with nothing left to train are counted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { buildLabels } from '../../data/labels';
import { getPreset } from '../../data/templates';
import type { MaskMode, Turn } from '../../data/types';
import { fixtureModelDir, fixtureTokenizer } from '../../text/__fixtures__/fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'labels-weights-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = fixtureModelDir('byte-bpe');

const ROWS: Turn[][] = [
  [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Forget this.', weight: 0 },
    { role: 'user', content: 'Capital of Italy?' },
    { role: 'assistant', content: 'Rome.' },
  ],
  [
    { role: 'user', content: 'Q' },
    { role: 'assistant', content: 'Unticked.', weight: 0 },
  ],
];
const DATA = join(tmp, 'openai.jsonl');
writeFileSync(DATA, ROWS.map((messages) => JSON.stringify({ messages })).join('\n') + '\n');

describe('labels command with weight-0 turns', () => {
  it.each<MaskMode>(['assistant-only', 'full'])('%s: the unticked reply is not trained, and the output matches buildLabels', async (mode) => {
    const out = join(tmp, `${mode}.jsonl`);
    const r = await runCli(['labels', '--model', MODEL, '--data', DATA, '--mode', mode, '--template', 'chatml', '--out', out, '--show', 'all']);
    expect(r.code, r.stderr).toBe(0);
    const tok = await fixtureTokenizer({ template: getPreset('chatml')!.template });
    const expected = ROWS.map((messages) => {
      const ex = buildLabels(tok, { kind: 'chat', messages }, { mode, trainEos: true, template: getPreset('chatml')!.template });
      return { input_ids: ex.inputIds, labels: ex.labels };
    });
    const written = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(written).toEqual(expected);
    // Trained stretches are shown as ⟦…⟧: the unticked replies are never inside one.
    const trained = [...r.stdout.matchAll(/⟦([^⟧]*)⟧/g)].map((m) => m[1]).join('');
    expect(trained).not.toMatch(/Forget this|Unticked/);
    if (mode === 'assistant-only') {
      expect(trained).toBe('Rome.<|im_end|>');
      expect(r.stderr).toContain('2 examples labeled');
      expect(r.stderr).toContain('1 fully masked (all -100 after the shift: `train` skips it)');
      expect(r.stdout).toContain('warning: assistant turn 1, the one this mode trains, is marked not trained (weight 0)');
    } else {
      expect(trained).toContain('Rome.<|im_end|>');
      expect(r.stderr).not.toContain('fully masked');
    }
  }, 60_000);
});
