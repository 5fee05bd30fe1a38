import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES, setupTiny, tinyRun } from '../testing/tinyTraining';
import { writeTinyModelDir } from '../testing/modelFiles';
import { releaseTestGpu } from '../testing/gpu';
import { epochCollated, microBatchOptions, type TrainingExample } from '../train/data';
import { runExport } from '../engine/export/sink';
import { DirSink } from '../node/exportDir';
import { firstBatchLoss } from './firstBatch';
import { handoffFiles } from './handoff';
import { prepareHandoff, type Recipe } from './recipe';
import { runTraining } from '../train/run';
import { pythonForTests } from '../testing/python';

const chatExamples: TrainingExample[] = [
  ...EXAMPLES,
  { body: { kind: 'chat', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', weight: 0 }, { role: 'user', content: 'Again?' }, { role: 'assistant', content: 'Hello again!' }] } },
  { body: { kind: 'chat', messages: [{ role: 'user', content: 'Bye' }, { role: 'assistant', content: 'See you.' }] } },
];

let tiny: Awaited<ReturnType<typeof setupTiny>>;
let dir = '', modelDir = '';
let recipe: Recipe;
const run = tinyRun({ label: { mode: 'per-turn-weights', trainEos: true, maxLength: 200 }, batchSize: 2, gradAccum: 2, epochs: 3, maxSteps: 0, seed: 7 });

beforeAll(async () => {
  tiny = await setupTiny();
  const root = mkdtempSync(join(tmpdir(), 'handoff-'));
  modelDir = join(root, 'base');
  writeTinyModelDir(modelDir, 'llama', { seed: 2, tokenizer: true, overrides: { tie_word_embeddings: true, max_position_embeddings: 256 } });
  const prepared = prepareHandoff(tiny.tokenizer, chatExamples, run, tiny.tiny.config, 'tiny/base');
  const first = await firstBatchLoss(tiny.gpu, tiny.tiny.config, tiny.weights, prepared.firstBatch);
  const out = handoffFiles({ runName: 'tiny run', baseName: 'tiny/base', loadFrom: modelDir, model: tiny.tiny.config, run, examples: chatExamples, prepared, firstBatch: first });
  recipe = out.recipe;
  dir = join(root, 'handoff');
  await runExport(new DirSink(dir), out.files);
});
afterAll(async () => {
  tiny?.release();
  await releaseTestGpu();
});

const read = (f: string) => readFileSync(join(dir, f), 'utf8');

describe('cluster hand-off', () => {
  it('writes the folder: data, scripts, configs, initial adapter, recipe and README', () => {
    for (const f of ['README.md', 'recipe.json', 'requirements.txt', 'data/train.jsonl', 'data/train.tokenized.jsonl', 'data/validation.jsonl', 'data/validation.tokenized.jsonl',
      'studio_data.py', 'train.py', 'train_trl.py', 'axolotl.yaml', 'accelerate/ddp.yaml', 'accelerate/fsdp.yaml', 'accelerate/deepspeed_zero2.yaml', 'accelerate/deepspeed_zero3.yaml',
      'init_adapter/adapter_config.json', 'init_adapter/adapter_model.safetensors']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(read('README.md')).toContain(`first-batch loss = ${recipe.first_batch.loss.toFixed(6)}`);
    expect(read('README.md')).toContain('accelerate launch --config_file accelerate/fsdp.yaml train.py');
  });

  it('keeps per-turn weights in the chat rows', () => {
    const rows = read('data/train.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { messages?: { role: string; weight?: number }[] });
    expect(rows).toHaveLength(recipe.data.train_examples);
    const weighted = rows.find((r) => r.messages?.some((m) => m.weight === 0));
    expect(weighted?.messages?.filter((m) => m.role === 'assistant').map((m) => m.weight)).toEqual([0, undefined]);
  });

  it('the tokenized rows, batched by studio_data.py, are byte-identical to what the trainer collates, every epoch', () => {
    const py = spawnSync('python3', ['-c', `
import json, sys
sys.path.insert(0, sys.argv[1])
import studio_data as sd
recipe = json.load(open(sys.argv[1] + '/recipe.json'))
rows = sd.read_jsonl(sys.argv[1] + '/data/train.tokenized.jsonl')
t = recipe['training']
out = []
for e in range(t['epochs']):
    out.append([sd.collate(mb, t['max_length'], t['pad_id']) for mb in sd.epoch_micro_batches(rows, t['batch_size'], t['seed'], e)])
steps = [[s, e, len(g)] for s, e, g in sd.optimizer_steps(rows, recipe)]
print(json.dumps({'epochs': out, 'steps': steps, 'lr': [sd.learning_rate(recipe, s) for s, _, _ in steps]}))
`, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(py.stderr).toBe('');
    const got = JSON.parse(py.stdout) as { epochs: { input_ids: number[][]; attention_mask: number[][]; labels: number[][] }[][]; steps: number[][] };
    const prepared = prepareHandoff(tiny.tokenizer, chatExamples, run, tiny.tiny.config, 'tiny/base');
    for (let e = 0; e < run.epochs; e++) {
      const want = epochCollated(prepared.train, microBatchOptions(run, prepared.padId, e));
      expect(got.epochs[e]).toHaveLength(want.length);
      want.forEach((b, i) => {
        const g = got.epochs[e][i];
        expect(Int32Array.from(g.input_ids.flat())).toEqual(b.inputIds);
        expect(Int32Array.from(g.labels.flat())).toEqual(b.labels);
        expect(Int32Array.from(g.attention_mask.flat())).toEqual(b.attentionMask);
      });
    }
    expect(got.steps).toHaveLength(recipe.training.total_steps);
    expect(got.steps.at(-1)![1]).toBe(run.epochs - 1);
  });

  it('recipe and configs are valid JSON / YAML with the run\'s settings', () => {
    const r = JSON.parse(read('recipe.json')) as Recipe;
    expect(r.training).toMatchObject({ lr: run.lr, batch_size: 2, grad_accum: 2, epochs: 3, seed: 7, max_length: 200, schedule: run.schedule });
    expect(r.lora).toMatchObject({ r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: 'all-linear' });
    expect(r.first_batch.loss).toBeGreaterThan(0);
    expect(r.first_batch.targets).toBeGreaterThan(0);
    const ax = parseYaml(read('axolotl.yaml')) as Record<string, unknown>;
    expect(ax).toMatchObject({ base_model: r.base_model.load_from, adapter: 'lora', lora_r: 4, lora_alpha: 8, lora_target_linear: true, micro_batch_size: 2, gradient_accumulation_steps: 2, learning_rate: run.lr, seed: 7, sequence_len: 200, sample_packing: false, lora_model_dir: 'init_adapter' });
    expect(ax.datasets).toEqual([{ path: 'data/train.tokenized.jsonl', ds_type: 'json', type: null }]);
    expect((parseYaml(read('accelerate/fsdp.yaml')) as { fsdp_config: Record<string, unknown> }).fsdp_config).toMatchObject({ fsdp_transformer_layer_cls_to_wrap: 'LlamaDecoderLayer', fsdp_use_orig_params: true });
    expect(parseYaml(read('accelerate/deepspeed_zero3.yaml'))).toMatchObject({ distributed_type: 'DEEPSPEED', deepspeed_config: { zero_stage: 3 } });
    expect(parseYaml(read('accelerate/ddp.yaml'))).toMatchObject({ distributed_type: 'MULTI_GPU' });
    const ad = JSON.parse(read('init_adapter/adapter_config.json')) as Record<string, unknown>;
    expect(ad).toMatchObject({ r: 4, lora_alpha: 8, lora_dropout: 0.1, base_model_name_or_path: 'tiny/base' });
  });

  // Needs a Python with torch + transformers + peft + accelerate: HANDOFF_PYTHON=/path/to/python, else the test venv.
  const HANDOFF_PYTHON = process.env.HANDOFF_PYTHON || pythonForTests();
  it.runIf(!!HANDOFF_PYTHON)('train.py prints the same step-0 loss as the studio and trains', () => {
    const py = spawnSync(HANDOFF_PYTHON!, [join(dir, 'train.py'), '--output-dir', join(dir, 'out')], { encoding: 'utf8', timeout: 600_000 });
    expect(py.status, py.stderr).toBe(0);
    const m = /step 0 loss .*?: ([\d.]+)\s+studio: ([\d.]+)/.exec(py.stdout)!;
    expect(Math.abs(Number(m[1]) - Number(m[2]))).toBeLessThan(1e-4);
    expect(py.stdout).toContain(`step ${recipe.training.total_steps}/${recipe.training.total_steps}`);
  });

  /** The studio's curve and a hand-off of the same run without dropout, built once for train.py and train_trl.py. */
  let exactRun: Promise<{ out: string; studio: { loss: number; gradNorm: number }[] }> | null = null;
  const exactHandoff = () => (exactRun ??= (async () => {
    const exact = tinyRun({ label: { mode: 'per-turn-weights', trainEos: true, maxLength: 200 }, batchSize: 2, gradAccum: 2, epochs: 3, maxSteps: 0, seed: 7, lora: { r: 4, alpha: 8, dropout: 0, targetModules: 'all-linear', useRslora: false }, schedule: 'cosine', warmupRatio: 0.2, maxGradNorm: 0.5, lr: 5e-3 });
    const prepared = prepareHandoff(tiny.tokenizer, chatExamples, exact, tiny.tiny.config, 'tiny/base');
    const first = await firstBatchLoss(tiny.gpu, tiny.tiny.config, tiny.weights, prepared.firstBatch);
    const out = join(mkdtempSync(join(tmpdir(), 'handoff-exact-')), 'h');
    await runExport(new DirSink(out), handoffFiles({ runName: 'exact', baseName: 'tiny/base', loadFrom: modelDir, model: tiny.tiny.config, run: exact, examples: chatExamples, prepared, firstBatch: first }).files);
    const studio: { loss: number; gradNorm: number }[] = [];
    await runTraining(tiny.gpu, tiny.tiny.config, tiny.weights, tiny.tokenizer, chatExamples, exact, { onStep: (s) => studio.push({ loss: s.loss, gradNorm: s.gradNorm }) });
    return { out, studio };
  })());
  const expectSameCurve = (theirs: { loss: number; gradNorm: number }[], studio: { loss: number; gradNorm: number }[], who: string) => {
    expect(theirs).toHaveLength(studio.length);
    theirs.forEach((t, i) => {
      const s = studio[i];
      expect(Math.abs(t.loss - s.loss), `step ${i + 1}: ${who} loss ${t.loss}, studio ${s.loss}`).toBeLessThan(2e-3 * Math.max(1, s.loss));
      // The norm before clipping: clipping hides a wrongly scaled gradient from the loss curve, not from this.
      expect(Math.abs(t.gradNorm - s.gradNorm), `step ${i + 1}: ${who} grad-norm ${t.gradNorm}, studio ${s.gradNorm}`).toBeLessThan(2e-3 * Math.max(1, s.gradNorm));
    });
  };

  it.runIf(!!HANDOFF_PYTHON)('without dropout, train.py follows the studio\'s loss and gradient-norm curve step for step (same batches, AdamW, schedule, clipping)', async () => {
    const { out, studio } = await exactHandoff();
    const py = spawnSync(HANDOFF_PYTHON!, [join(out, 'train.py'), '--output-dir', join(out, 'o')], { encoding: 'utf8', timeout: 600_000 });
    expect(py.status, py.stderr).toBe(0);
    const theirs = [...py.stdout.matchAll(/^step \d+\/\d+ .*? loss ([\d.]+) .*?grad-norm ([\d.]+)/gm)].map((m) => ({ loss: Number(m[1]), gradNorm: Number(m[2]) }));
    expectSameCurve(theirs, studio, 'train.py');
  });

  const hasTrl = !!HANDOFF_PYTHON && spawnSync(HANDOFF_PYTHON, ['-c', 'import trl, datasets'], { encoding: 'utf8' }).status === 0;
  it.runIf(hasTrl)('train_trl.py (TRL SFTTrainer) logs the studio\'s loss and gradient norm at every step', async () => {
    const { out, studio } = await exactHandoff();
    const py = spawnSync(HANDOFF_PYTHON!, [join(out, 'train_trl.py'), '--output-dir', join(out, 'trl')], { encoding: 'utf8', timeout: 600_000 });
    expect(py.status, py.stderr).toBe(0);
    // The Trainer logs dicts like {'loss': '10.56', 'grad_norm': '4.539', ...} (4 significant digits) once a step.
    const theirs = [...(py.stdout + py.stderr).matchAll(/'loss': '?([\d.e+-]+)'?, 'grad_norm': '?([\d.e+-]+)'?/g)].map((m) => ({ loss: Number(m[1]), gradNorm: Number(m[2]) }));
    expectSameCurve(theirs, studio, 'train_trl.py');
  });
});
