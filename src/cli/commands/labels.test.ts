/** The `labels` command, run as a user would: `npx tsx src/cli/main.ts labels …` on fixture files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../data/formats/index.ts';
import { buildLabels, type LabelOptions } from '../../data/labels.ts';
import { getPreset } from '../../data/templates.ts';
import { fixtureModelDir } from '../../text/__fixtures__/fixtures.ts';
import { loadTokenizer } from '../../text/tokenizer.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const DATA = join(ROOT, 'src/data/__fixtures__/datasets');
const MODEL = fixtureModelDir('byte-bpe');

function cli(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'labels', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^npm warn.*\n/gm, '') };
}

function readJsonl(path: string): { input_ids: number[]; labels: number[] }[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { input_ids: number[]; labels: number[] });
}

async function expectedLabels(modelDir: string, dataFile: string, opts: LabelOptions) {
  const tok = await loadTokenizer({
    tokenizerJson: JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')),
    tokenizerConfig: JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')),
  });
  const parsed = parseDataset(readFileSync(dataFile, 'utf8'), { filename: dataFile });
  return parsed.rows.map((r) => {
    const ex = buildLabels(tok, r.body, opts);
    return { input_ids: ex.inputIds, labels: ex.labels };
  });
}

describe('labels command', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'labels-cli-'));

  it('writes the same labels as buildLabels, renders plainly when piped, and reports bad rows by line', async () => {
    const out = join(tmp, 'alpaca.jsonl');
    const r = cli('--model', MODEL, '--data', join(DATA, 'alpaca.jsonl'), '--mode', 'assistant-only', '--out', out, '--show', '1');
    expect(r.code).toBe(0);
    expect(readJsonl(out)).toEqual(await expectedLabels(MODEL, join(DATA, 'alpaca.jsonl'), { mode: 'assistant-only', trainEos: true }));
    expect(r.stderr).toContain('line 3: missing field "output"');
    expect(r.stderr).toContain('3 examples labeled');
    expect(r.stdout).toContain('── example 1 (line 1)');
    expect(r.stdout).toContain('⟦Paris.<|im_end|>⟧');
    expect(r.stdout).not.toContain('example 2');
    expect(r.stdout).not.toContain('\x1b[');
  }, 60_000);

  it('--no-train-eos masks the end-of-turn token; --color colors trained text green', async () => {
    const out = join(tmp, 'noeos.jsonl');
    const r = cli('--model', MODEL, '--data', join(DATA, 'sharegpt.json'), '--mode', 'last-turn', '--no-train-eos', '--out', out, '--color');
    expect(r.code).toBe(0);
    expect(readJsonl(out)).toEqual(await expectedLabels(MODEL, join(DATA, 'sharegpt.json'), { mode: 'last-turn', trainEos: false }));
    expect(r.stderr).toContain('line 8: the conversation ends with a user message');
    expect(r.stdout).toContain('\x1b[32mRome.\x1b[0m');
    expect(r.stdout).not.toContain('\x1b[32mHello');
  }, 60_000);

  it('uses a template preset for a model without a chat template, and --max-length truncates with a warning', async () => {
    const base = mkdtempSync(join(tmpdir(), 'base-model-'));
    copyFileSync(join(MODEL, 'tokenizer.json'), join(base, 'tokenizer.json'));
    writeFileSync(join(base, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|endoftext|>' }));
    const data = join(DATA, 'columns.csv');
    const without = cli('--model', base, '--data', data, '--mode', 'completion-only', '--format', 'columns');
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('line 2: this tokenizer has no chat template');
    expect(without.stderr).toContain('error: no example could be labeled');

    const out = join(tmp, 'columns.jsonl');
    const r = cli('--model', base, '--data', data, '--mode', 'completion-only', '--template', 'alpaca', '--max-length', '40', '--out', out, '--show', 'all');
    expect(r.code).toBe(0);
    const expected = await expectedLabels(base, data, { mode: 'completion-only', trainEos: true, template: getPreset('alpaca')!.template, maxLength: 40 });
    expect(readJsonl(out)).toEqual(expected);
    expect(expected.every((e) => e.input_ids.length <= 40)).toBe(true);
    expect(r.stdout).toContain('truncated from the right');
    expect(r.stderr).toContain('line 5: expected 3 fields (question, answer, topic), found 2');
  }, 60_000);

  it('fails clearly when nothing can be labeled or the arguments are wrong', () => {
    const bad = cli('--model', MODEL, '--data', join(DATA, 'all-bad.jsonl'), '--mode', 'full');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('line 1: field "output" is empty');
    expect(bad.stderr).toContain('line 2: invalid JSON');
    expect(bad.stderr).toContain('error: no example could be labeled');
    const mode = cli('--model', MODEL, '--data', join(DATA, 'alpaca.jsonl'), '--mode', 'everything');
    expect(mode.code).not.toBe(0);
    expect(mode.stderr).toContain('--mode must be one of assistant-only, completion-only, full, last-turn, per-turn-weights');
    const missing = cli('--model', join(tmp, 'nope'), '--data', join(DATA, 'alpaca.jsonl'), '--mode', 'full');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('tokenizer.json not found');
  }, 60_000);
});
