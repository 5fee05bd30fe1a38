/**
 * `eval`: the Evaluation page's table from the command line. The base model and any LoRA adapters answer a dataset's
 * held-out examples greedily (tokenized and stopped exactly as `generate` and the playground do: text/prompt.ts); the
 * answers are scored with the page's metric module (src/eval/metrics.ts) against the reference answers, and the report
 * module (src/eval/report.ts) writes the same Markdown table (also printed) and a CSV with one line per answer.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { optionalString, parseArgs, requireString } from '../args.ts';
import { checkFlags, intFlag, loadDirTokenizer, rangeFlag, resolveTemplate, seedFlag, switchFlag } from '../common.ts';
import { checkDataFile, noRowsMessage, readRows } from '../dataset.ts';
import { onInterrupt } from '../signals.ts';
import { FORMAT_IDS, type FormatId } from '../../data/formats/index.ts';
import type { ExampleBody, Split } from '../../data/types.ts';
import { TEMPLATE_PRESETS } from '../../data/templates.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { loadModelWeights } from '../../engine/loadModel.ts';
import { GpuTransformer } from '../../engine/transformer/model.ts';
import { generate } from '../../engine/generate.ts';
import { promptIds, stopTokenIds, type Prompt } from '../../text/prompt.ts';
import { shuffled } from '../../train/data.ts';
import { evalItem, type EvalItem } from '../../eval/items.ts';
import { scoreOutput } from '../../eval/metrics.ts';
import { metricsMarkdown, resultsCsv, type ReportModel, type ReportRow } from '../../eval/report.ts';

export const summary = 'score the base model and adapters on held-out examples: Markdown table + CSV (--data --model [--adapter]…)';

const HELP = `Usage: npm run cli -- eval --data FILE --model DIR [--adapter DIR]… [options]
  --data FILE          dataset (.jsonl/.json/.csv in any format the studio imports: chat, instruction pairs, text)
  --format ID          force the dataset format (${FORMAT_IDS.join(', ')})
  --model DIR          the base model (config.json + *.safetensors + tokenizer files)
  --adapter DIR        a PEFT LoRA adapter to compare with the base model; repeat for several
  --no-base            leave the base model out (adapters only)
Which examples (default: those the file marks as validation):
  --eval-split R       no split in the file: hold out this seeded fraction, as \`train --eval-split R --seed S\` did
  --seed N             seed of that hold-out (default 42, as train's)
  --tag NAME           the examples with this tag instead
  --all                every example
  --limit N            only the first N of them (0 = all)
Generation (greedy):
  --max-tokens N       most tokens per answer (default 64)
  --template NAME|FILE chat template (${TEMPLATE_PRESETS.map((p) => p.id).join(', ')}) or Jinja file; default: the tokenizer's
  --out PREFIX         write PREFIX.md and PREFIX.csv (default: eval)
Metrics: exact match (trimmed text equal and the model ended its turn), normalised exact match (SQuAD), ROUGE-L F1,
token F1. Examples without a reference answer are n/a, never 0. The Markdown table is also printed on stdout.`;

const KNOWN = ['help', 'data', 'format', 'model', 'adapter', 'no-base', 'eval-split', 'seed', 'tag', 'all', 'limit', 'max-tokens', 'template', 'out'];

/** Every value of a repeatable flag (`--adapter a --adapter b`, or `--adapter=a`). */
function repeated(args: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
      out.push(v);
      i++;
    } else if (args[i].startsWith(`--${name}=`)) out.push(args[i].slice(name.length + 3));
  }
  return out;
}

interface Row {
  body: ExampleBody;
  tags: string[];
  split?: Split;
  line: number;
}

/** The held-out examples: the file's validation rows, a seeded fraction (train's --eval-split rule), a tag, or all. */
function chooseSet(rows: Row[], opts: { all: boolean; tag?: string; evalSplit: number; seed: number }): { rows: Row[]; label: string } {
  if (opts.all) return { rows, label: 'all examples' };
  if (opts.tag !== undefined) return { rows: rows.filter((r) => r.tags.includes(opts.tag!)), label: `examples tagged "${opts.tag}"` };
  if (!rows.some((r) => r.split === 'validation') && opts.evalSplit > 0) {
    // The same rule as `train --eval-split` (trainData.ts): shuffle the indices with the seed, hold out round(n·R).
    const n = Math.min(rows.length - 1, Math.round(rows.length * opts.evalSplit));
    const held = new Set(shuffled([...rows.keys()], opts.seed).slice(0, n));
    return { rows: rows.filter((_, i) => held.has(i)), label: `a seeded ${opts.evalSplit} hold-out (seed ${opts.seed})` };
  }
  return { rows: rows.filter((r) => r.split === 'validation'), label: 'the validation split' };
}

/** Writes next to the target and renames, so an interrupted write never leaves a file that looks complete. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'eval');
  const dataPath = requireString(p, 'data');
  checkDataFile(dataPath);
  const modelPath = requireString(p, 'model');
  const adapterPaths = repeated(args, 'adapter');
  const withBase = !switchFlag(p, 'no-base');
  if (!withBase && adapterPaths.length === 0) throw new Error('--no-base leaves nothing to evaluate; add --adapter DIR');
  const format = optionalString(p, 'format') as FormatId | undefined;
  if (format !== undefined && !FORMAT_IDS.includes(format)) throw new Error(`--format must be one of ${FORMAT_IDS.join(', ')}, got "${format}"`);
  const all = switchFlag(p, 'all');
  const tag = optionalString(p, 'tag');
  if (all && tag !== undefined) throw new Error('--all and --tag choose different sets; give one');
  const evalSplit = rangeFlag(p, 'eval-split', 0, 0, 1, true);
  const seed = seedFlag(p, 42);
  const limit = intFlag(p, 'limit', 0, 0);
  const maxTokens = intFlag(p, 'max-tokens', 64, 1);
  const template = resolveTemplate(optionalString(p, 'template'));
  const out = resolve(optionalString(p, 'out') ?? 'eval');

  const rows: Row[] = [];
  const summaryRead = await readRows(dataPath, format, (r) => rows.push({ body: r.body, tags: r.tags, split: r.split, line: r.line }));
  if (rows.length === 0) throw new Error(noRowsMessage(dataPath, summaryRead));
  const set = chooseSet(rows, { all, tag, evalSplit, seed });
  if (set.rows.length === 0)
    throw new Error(
      tag !== undefined
        ? `no example in ${dataPath} has the tag "${tag}"`
        : `${dataPath} has no held-out examples (no row is marked validation): pass --eval-split R [--seed S] as train did, --tag NAME or --all`,
    );
  const chosen = limit > 0 ? set.rows.slice(0, limit) : set.rows;
  const items: EvalItem[] = chosen.map((r) => evalItem({ id: `line ${r.line}`, body: r.body, tags: r.tags }));

  const model = await openModelDir(modelPath);
  const cfg = model.config;
  const adapters = adapterPaths.map((dir) => ({ dir, adapter: readAdapterDir(dir, cfg) }));
  const tokenizer = await loadDirTokenizer(modelPath);
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const prompts = items.map((it): Prompt => (it.prompt.kind === 'chat' ? { kind: 'chat', messages: it.prompt.messages, ...(template !== undefined ? { template } : {}) } : it.prompt));
  if (prompts.some((q) => q.kind === 'chat') && template === undefined && !tokenizer.chatTemplate)
    throw new Error('this tokenizer has no chat template and the dataset has chats or pairs; pass --template NAME|FILE');
  // A prompt longer than the context keeps its last tokens (as the training samples do).
  const room = Math.max(1, cfg.maxTrainLength - maxTokens);
  const encoded = prompts.map((q) => ({ ids: promptIds(tokenizer, q).slice(-room), eos: stopTokenIds(tokenizer, q, { configEos: cfg.eosTokenIds, generationConfig: model.generationConfig }) }));
  const kvCap = Math.min(cfg.maxTrainLength, Math.max(...encoded.map((e) => e.ids.length)) + maxTokens);

  const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
  const { weights } = await loadModelWeights(gpu, cfg, { source: model.source });
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const models: ReportModel[] = [];
  const runs = [...(withBase ? [{ label: `Base model (${basename(resolve(modelPath))})`, adapter: null }] : []), ...adapters.map((a) => ({ label: basename(resolve(a.dir)), adapter: a.adapter }))];
  const started = performance.now();
  try {
    for (const m of runs) {
      if (abort.signal.aborted) break;
      const net = new GpuTransformer(gpu, cfg, weights, {
        B: 1, T: Math.min(32, kvCap), kvCap, lora: m.adapter ? { targets: m.adapter.targets, values: m.adapter.values, dropout: 0 } : null,
      });
      const done: ReportRow[] = [];
      try {
        for (let i = 0; i < items.length && !abort.signal.aborted; i++) {
          const ids: number[] = [];
          let reason = 'max-tokens';
          try {
            for await (const t of generate(net, encoded[i].ids, { maxNewTokens: maxTokens, temperature: 0, topK: 0, topP: 1, seed: 0, eosIds: encoded[i].eos, signal: abort.signal })) {
              if (t.stop !== 'eos') ids.push(t.id);
              if (t.stop) reason = t.stop;
            }
          } catch (e) {
            if (!abort.signal.aborted) throw e;
            break;
          }
          const output = decode(ids);
          const it = items[i];
          done.push({ exampleId: it.id, tags: it.tags, prompt: it.promptText, reference: it.reference, output, reason, scores: scoreOutput(output, it.reference, reason) });
          console.error(`[${m.label}] ${i + 1}/${items.length} ${it.id}: ${JSON.stringify(output.length > 60 ? `${output.slice(0, 60)}…` : output)} (${reason})`);
        }
      } finally {
        net.release();
      }
      models.push({ key: m.label, label: m.label, rows: done });
    }
  } finally {
    release();
  }
  const interrupted = abort.signal.aborted;
  const title = `Evaluation: ${basename(dataPath)}, ${set.label}${chosen.length < set.rows.length ? ` (first ${chosen.length} of ${set.rows.length})` : ''}${interrupted ? ' — interrupted, partial' : ''}`;
  const md = metricsMarkdown(models, title);
  writeAtomic(`${out}.md`, md);
  writeAtomic(`${out}.csv`, resultsCsv(models));
  process.stdout.write(md);
  const answers = models.reduce((a, m) => a + m.rows.length, 0);
  console.error(`[${answers} answers in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${out}.md and ${out}.csv]`);
  return interrupted ? 130 : 0;
}
