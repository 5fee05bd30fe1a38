/**
 * `pretrain`: build the studio's built-in base model from scratch — Brown corpus, byte-level BPE, a small llama trained
 * with the engine's full-parameter mode — and export it as a Hugging Face model directory. See docs/BUILTIN_MODEL.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { optionalNumber, optionalString, parseArgs, requireString } from '../args';
import { DEFAULTS, pretrain } from '../../pretrain/run';
import { PRESETS, isPresetName } from '../../pretrain/presets';
import { evaluateModelDir } from '../../pretrain/evaluate';

export const summary = 'pretrain the built-in base model on the Brown corpus and export it (--out DIR --minutes N)';

const HELP = `Usage: npm run cli -- pretrain --out DIR [options]
       npm run cli -- pretrain --evaluate MODEL_DIR   held-out nats/token and bits per byte of a model directory
                                                    (its own tokenizer, the Brown held-out documents) and count models
  --out DIR            export the Hugging Face model directory here (e.g. public/models/studio-base)
  --minutes N          total training wall-time budget (default 60 unless --steps is given)
  --steps N            total optimizer steps (with --minutes too: whichever comes first)
  --config NAME        model preset: ${Object.keys(PRESETS).join(' | ')} (default small)
  --vocab N            BPE vocabulary size incl. 3 special tokens (default ${DEFAULTS.vocabSize})
  --seed N             initialisation and data-order seed (default ${DEFAULTS.seed})
  --resume             continue the checkpoint in the work directory (budgets are totals across sessions)
  --fresh              start over, ignoring (and later overwriting) an existing checkpoint
  --export-only        export from the latest checkpoint without training
  --init-from DIR      continue pretraining from a model directory this command exported (e.g. public/models/studio-base):
                       its weights, config and tokenizer, a fresh optimizer; the final evaluation covers every held-out
                       window and scores the starting model on them first (pass a low --lr, e.g. 5e-4: the
                       preset's peak re-warms the model and costs held-out loss; docs/BUILTIN_MODEL.md)
  --dialogue F         share of training rows from dialogue documents made of the training sentences and rendered with
                       the tokenizer's chat template, so <|im_start|>/<|im_end|> are learned (0 ≤ F < 1; default 0)
  --work DIR           checkpoints, tokenizer and token cache (default .cache/pretrain/CONFIG-vVOCAB-sSEED, or with
                       --init-from .cache/pretrain/continue-NAME-dF-sSEED)
  --checkpoint-minutes N (default ${DEFAULTS.checkpointMinutes})   --eval-minutes N (default ${DEFAULTS.evalMinutes})
  --warmup N           warmup steps (default ${DEFAULTS.warmupSteps})   --lr X   peak learning rate (default: the preset's)`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  const evalDir = optionalString(p, 'evaluate');
  if (evalDir !== undefined) {
    const s = await evaluateModelDir(evalDir, { log: (line) => console.error(line) });
    const row = (name: string, nats: number, bpb: number) => `${name.padEnd(22)} ${nats.toFixed(4)} nats/token  ${bpb.toFixed(4)} bits/byte`;
    console.log(row(evalDir, s.natsPerToken, s.bitsPerByte));
    console.log(row('unigram count model', s.baselines.unigram.nats, s.baselines.unigram.bpb));
    console.log(row('bigram count model', s.baselines.bigram.nats, s.baselines.bigram.bpb));
    console.log(`(${s.windows} held-out windows of ${s.context} tokens: ${s.targets} targets, ${s.bytes} bytes)`);
    return 0;
  }
  const out = requireString(p, 'out');
  const preset = optionalString(p, 'config') ?? 'small';
  if (!isPresetName(preset)) throw new Error(`--config must be one of ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(preset)}`);
  const int = (name: string, fallback: number, min: number) => {
    const v = optionalNumber(p, name, fallback);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${v}`);
    return v;
  };
  const steps = p.flags.has('steps') ? int('steps', 0, 1) : null;
  const minutes = p.flags.has('minutes') ? optionalNumber(p, 'minutes', 60) : steps === null ? 60 : null;
  if (minutes !== null && !(minutes > 0)) throw new Error(`--minutes must be positive, got ${minutes}`);
  const vocabSize = int('vocab', DEFAULTS.vocabSize, 260);
  const seed = int('seed', DEFAULTS.seed, 0);
  const lr = p.flags.has('lr') ? optionalNumber(p, 'lr', 0) : undefined;
  if (lr !== undefined && !(lr > 0)) throw new Error(`--lr must be positive, got ${lr}`);
  const cacheRoot = join('.cache', 'pretrain');
  if (!existsSync(cacheRoot)) mkdirSync(cacheRoot, { recursive: true });
  if (!existsSync(join(cacheRoot, '.gitignore'))) writeFileSync(join(cacheRoot, '.gitignore'), '*\n');
  const initFrom = optionalString(p, 'init-from') ?? null;
  if (initFrom !== null && !existsSync(join(initFrom, 'config.json'))) throw new Error(`--init-from: ${initFrom} is not a model directory (no config.json)`);
  const dialogue = optionalNumber(p, 'dialogue', 0);
  if (!(dialogue >= 0 && dialogue < 1)) throw new Error(`--dialogue must be a share in [0, 1), got ${dialogue}`);
  const workDir = optionalString(p, 'work') ??
    join(cacheRoot, initFrom !== null ? `continue-${basename(resolve(initFrom))}-d${dialogue}-s${seed}` : `${preset}-v${vocabSize}-s${seed}${dialogue ? `-d${dialogue}` : ''}`);
  await pretrain({
    ...DEFAULTS,
    out, workDir, preset, seed, vocabSize, minutes, steps,
    presetOverride: lr !== undefined ? { lr } : undefined,
    resume: p.flags.has('resume'),
    fresh: p.flags.has('fresh'),
    exportOnly: p.flags.has('export-only'),
    checkpointMinutes: optionalNumber(p, 'checkpoint-minutes', DEFAULTS.checkpointMinutes),
    evalMinutes: optionalNumber(p, 'eval-minutes', DEFAULTS.evalMinutes),
    warmupSteps: int('warmup', DEFAULTS.warmupSteps, 0),
    initFrom, dialogue,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    command: `npm run cli -- pretrain ${args.filter((a) => a !== '--resume' && a !== '--export-only' && a !== '--fresh').join(' ')}`,
  });
  return 0;
}
