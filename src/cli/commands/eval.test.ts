/**
 * `eval` run as a user would, on a tiny model directory (real WebGPU through Dawn) with the byte-level BPE fixture
 * tokenizer and its chat template: the held-out rows of an Alpaca JSONL file answered by the base model and a LoRA
 * adapter, the CSV's scores recomputed with the metric module, the Markdown table's means checked against the CSV,
 * the other ways to choose the set, and clear errors.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { writeAdapterDir, writeTinyModelDir } from '../../testing/modelFiles';
import { defaultLoraConfig, resolveLoraTargets } from '../../engine/model/lora';
import { tinyLoraParams } from '../../engine/model/tiny';
import { formatMetric, scoreOutput } from '../../eval/metrics';
import { CSV_HEADER } from '../../eval/report';
import { shuffled } from '../../train/data';

const tmp = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = join(tmp, 'model');
const cfg = writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1 } }).config;
const ADAPTER = join(tmp, 'my-adapter');
const lora = defaultLoraConfig(cfg, { r: 4, targetModules: 'all-linear' });
const targets = resolveLoraTargets(cfg, lora);
writeAdapterDir(ADAPTER, lora, targets, tinyLoraParams(targets, 9, 2));

const ROWS = [
  ['Say hi.', 'Hello!', 'train', ['greet']],
  ['Capital of France?', 'Paris.', 'validation', ['geo']],
  ['Opposite of hot?', 'Cold.', 'train', []],
  ['Capital of Italy?', 'Rome.', 'validation', ['geo']],
  ['Say bye.', 'Goodbye!', 'validation', ['greet']],
] as const;
const row = ([instruction, output, split, tags]: (typeof ROWS)[number]) => JSON.stringify({ instruction, input: '', output, studio: { split, tags } });
const DATA = join(tmp, 'data.jsonl');
writeFileSync(DATA, ROWS.map(row).join('\n') + '\n');
const NOSPLIT = join(tmp, 'nosplit.jsonl');
writeFileSync(NOSPLIT, ROWS.map(([instruction, output]) => JSON.stringify({ instruction, input: '', output })).join('\n') + '\n');

/** RFC 4180 lines → cells (the CSV here has quoted fields only where needed). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let cells: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      cells.push(cell);
      out.push(cells);
      cells = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return out;
}

describe('cli eval', () => {
  it('scores the base model and an adapter on the validation rows: Markdown (printed and written) and CSV', async () => {
    const out = join(tmp, 'report');
    const r = await runCli(['eval', '--data', DATA, '--model', MODEL, '--adapter', ADAPTER, '--max-tokens', '6', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(`${out}.md`, 'utf8');
    expect(r.stdout).toBe(md);
    expect(md).toContain('the validation split');
    expect(md).toContain('| Metric | Base model (model) | my-adapter | Δ vs Base model (model) |');
    expect(md).toContain('## Tag: geo');
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const [head, ...lines] = parseCsv(readFileSync(`${out}.csv`, 'utf8'));
    expect(head).toEqual(CSV_HEADER);
    const held = ROWS.filter((x) => x[2] === 'validation');
    expect(lines).toHaveLength(2 * held.length);
    const col = (name: string) => CSV_HEADER.indexOf(name);
    for (const cells of lines) {
      const reference = cells[col('reference')];
      expect(held.map((h) => h[1] as string)).toContain(reference);
      // The scores in the CSV are the metric module's for that output.
      const s = scoreOutput(cells[col('output')], reference, cells[col('stop_reason')]);
      expect(cells[col('exact_match')]).toBe(String(s.exact));
      expect(Number(cells[col('rouge_l_f1')])).toBeCloseTo(s.rougeL!, 12);
      expect(Number(cells[col('token_f1')])).toBeCloseTo(s.tokenF1!, 12);
    }
    const base = lines.filter((c) => c[col('model')] === 'Base model (model)');
    const tuned = lines.filter((c) => c[col('model')] === 'my-adapter');
    expect(base).toHaveLength(held.length);
    // The adapter changes what the model says.
    expect(tuned.map((c) => c[col('output')])).not.toEqual(base.map((c) => c[col('output')]));
    // The table's ROUGE-L means are the CSV's.
    const mean = (rows: string[][]) => rows.reduce((a, c) => a + Number(c[col('rouge_l_f1')]), 0) / rows.length;
    expect(md).toContain(`| ROUGE-L F1 | ${formatMetric(mean(base))} | ${formatMetric(mean(tuned))} |`);
  }, 180_000);

  it('--tag, --all and --limit choose the set; --eval-split holds out what train --eval-split did', async () => {
    const tag = await runCli(['eval', '--data', DATA, '--model', MODEL, '--tag', 'greet', '--max-tokens', '2', '--out', join(tmp, 'tag')]);
    expect(tag.code, tag.stderr).toBe(0);
    expect(tag.stdout).toContain('examples tagged "greet"');
    expect(tag.stdout).toMatch(/\| Examples \| 2 \|/);
    const all = await runCli(['eval', '--data', DATA, '--model', MODEL, '--all', '--limit', '3', '--max-tokens', '2', '--out', join(tmp, 'all')]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('all examples (first 3 of 5)');
    const split = await runCli(['eval', '--data', NOSPLIT, '--model', MODEL, '--eval-split', '0.4', '--seed', '7', '--max-tokens', '2', '--out', join(tmp, 'split')]);
    expect(split.code, split.stderr).toBe(0);
    const held = new Set(shuffled([...ROWS.keys()], 7).slice(0, 2));
    const csv = parseCsv(readFileSync(join(tmp, 'split.csv'), 'utf8')).slice(1);
    expect(csv.map((c) => c[CSV_HEADER.indexOf('reference')]).sort()).toEqual(ROWS.filter((_, i) => held.has(i)).map((x) => x[1] as string).sort());
  }, 180_000);

  it('says clearly what is wrong and writes nothing', async () => {
    const cases: [string[], string][] = [
      [['--data', NOSPLIT], 'has no held-out examples (no row is marked validation): pass --eval-split'],
      [['--data', DATA, '--tag', 'nope'], 'no example in'],
      [['--data', DATA, '--all', '--tag', 'geo'], '--all and --tag choose different sets'],
      [['--data', DATA, '--no-base'], '--no-base leaves nothing to evaluate'],
      [['--data', join(tmp, 'missing.jsonl')], 'dataset not found'],
      [['--data', DATA, '--adapter', join(tmp, 'nothing-here')], 'does not exist'],
    ];
    for (const [args, message] of cases) {
      const out = join(tmp, 'bad');
      const r = await runCli(['eval', '--model', MODEL, '--out', out, ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(existsSync(`${out}.md`) || existsSync(`${out}.csv`)).toBe(false);
    }
  }, 180_000);
});
