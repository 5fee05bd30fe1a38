/**
 * Live parity with the real Python transformers + PEFT (python/parity_models.py), on a tiny random model of EVERY
 * family (model/tiny.ts switches on each family's distinctive features), written to disk as HF folders:
 *
 *   - the batch loss (labels with -100, HF's one-position shift) of AutoModelForCausalLM equals the studio's
 *     first-batch loss (src/handoff/firstBatch.ts: the engine's per-example forward, as the hand-off reports it);
 *   - with OUR adapter export loaded by PeftModel.from_pretrained (r 4, alpha 8, all-linear, B ≠ 0), the loss, every
 *     lora_A / lora_B gradient after backward() and the logits equal the engine's (GpuTransformer, one B×T batch);
 *   - OUR merged-model export (engine/export, format 'hf') loads with AutoModelForCausalLM and gives the logits of
 *     base + PEFT adapter.
 * Python runs each case in float32 and float64; both are checked (float64 shows the engine's own f32 error).
 * Skips when there is no Python with the packages (scripts/python-env.mjs sets one up).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testGpu } from '../testing/gpu';
import { relErr } from '../testing/gradCheck';
import { tinyExportModel } from '../testing/exportModels';
import { writeAdapterDir } from '../testing/modelFiles';
import { pythonForTests, pythonSkipReason, runPythonJson } from '../testing/python';
import { TINY_MODEL_TYPES, tinyBatch } from '../engine/model/tiny';
import type { ModelType } from '../engine/model/config';
import { defaultLoraConfig, resolveLoraTargets, type LoraConfig, type LoraOptions, type LoraTarget } from '../engine/model/lora';
import { tinyLoraParams } from '../engine/model/tiny';
import { checkpointWeights } from '../engine/export/weights';
import { exportFiles } from '../engine/export/plan';
import { runExport } from '../engine/export/sink';
import { Recorder } from '../engine/gpu/recorder';
import { readF32 } from '../engine/gpu/buffers';
import { GpuTransformer, uploadWeights } from '../engine/transformer/model';
import { DirSink } from '../node/exportDir';
import { firstBatchLoss } from '../handoff/firstBatch';
import type { LabeledExample } from '../data/labels';

const B = 2, T = 10;

interface PyResult {
  base_loss: number;
  lora_loss: number;
  grads: Record<string, number[]>;
  lora_logits: number[];
  merged_logits: number[];
  loaded_max_diff: number;
  lora_keys: string[];
}
interface PyAnswer {
  versions: Record<string, string>;
  cases: Record<string, { f32: PyResult; f64: PyResult }>;
}

interface Case {
  type: ModelType;
  model: ReturnType<typeof tinyExportModel>;
  lora: LoraConfig;
  targets: LoraTarget[];
  values: Map<string, Float32Array>;
  batch: { inputIds: number[][]; labels: number[][] };
}

/**
 * Adapter variants beside each family's default (r 4, alpha 8, all-linear): the rank/scale rules PEFT applies per
 * module — rsLoRA (alpha / √r), rank_pattern / alpha_pattern (first matching key), listed targets, layers_to_transform
 * — on a Linear family and on GPT-2's Conv1D (fan_in_fan_out).
 */
const VARIANTS: { name: string; type: ModelType; lora: LoraOptions & { layersToTransform?: number[] } }[] = [
  { name: 'llama rsLoRA + rank/alpha patterns', type: 'llama', lora: { r: 8, loraAlpha: 16, useRslora: true, targetModules: 'all-linear', rankPattern: { 'layers.1.self_attn.q_proj': 2, down_proj: 3 }, alphaPattern: { o_proj: 5 } } },
  { name: 'qwen3 listed targets, layer 1 only', type: 'qwen3', lora: { r: 6, loraAlpha: 3, targetModules: ['q_proj', 'v_proj', 'down_proj'], layersToTransform: [1] } },
  { name: 'gpt2 rsLoRA + rank pattern on c_attn', type: 'gpt2', lora: { r: 4, loraAlpha: 12, useRslora: true, targetModules: ['c_attn', 'c_proj', 'c_fc'], rankPattern: { c_attn: 2 } } },
];
const NAMES = [...(TINY_MODEL_TYPES as ModelType[]).map((t) => ({ name: t as string, type: t, lora: null })), ...VARIANTS];

const python = pythonForTests();
const cases = new Map<string, Case>();
let answer: PyAnswer;
/** Measured differences per family, printed at the end. */
const measured = new Map<string, Record<string, number>>();

/** Writes base / adapter / merged folders for one family; returns the job entry for Python. */
async function writeCase(root: string, name: string, type: ModelType, options: (typeof VARIANTS)[number]['lora'] | null) {
  const model = tinyExportModel(type, 'F32');
  const { layersToTransform, ...opts } = options ?? {};
  const lora: LoraConfig = options ? { ...defaultLoraConfig(model.config, { ...opts, loraDropout: 0 }), layersToTransform: layersToTransform ?? null } : { ...model.loraConfig, loraDropout: 0 };
  const targets = options ? resolveLoraTargets(model.config, lora) : model.targets;
  const values = options ? tinyLoraParams(targets, 5, 0.3) : model.values;
  const dir = join(root, name.replace(/[^\w]+/g, '-'));
  mkdirSync(join(dir, 'base'), { recursive: true });
  writeFileSync(join(dir, 'base', 'config.json'), JSON.stringify(model.configJson, null, 2) + '\n');
  writeFileSync(join(dir, 'base', 'model.safetensors'), model.bytes);
  writeAdapterDir(join(dir, 'adapter'), lora, targets, values);
  const base = await checkpointWeights(model.config, model.source);
  await runExport(new DirSink(join(dir, 'merged')), exportFiles({
    format: 'hf', baseName: 'tiny/base', name: `tiny-${type}-merged`, config: model.config, configJson: model.configJson, base,
    lora: { config: lora, targets, values }, full: null,
    tokenizerJson: null, tokenizerConfig: null, generationConfig: null, tokenizerFiles: [],
  }));
  const batch = tinyBatch(model.config, 3, B, T);
  cases.set(name, { type, model, lora, targets, values, batch });
  return { name, base: join(dir, 'base'), adapter: join(dir, 'adapter'), merged: join(dir, 'merged'), input_ids: batch.inputIds, labels: batch.labels };
}

beforeAll(async () => {
  if (!python) return;
  const root = mkdtempSync(join(tmpdir(), 'parity-models-'));
  const job = [];
  for (const c of NAMES) job.push(await writeCase(root, c.name, c.type, c.lora));
  answer = runPythonJson<PyAnswer>('parity_models.py', { cases: job });
}, 600_000);

/** The engine on one case: first-batch loss (base), then loss + LoRA gradients and logits (base + adapter). */
async function ours(c: Case) {
  const gpu = await testGpu();
  const cfg = c.model.config;
  const weights = uploadWeights(gpu, c.model.weights);
  const net = new GpuTransformer(gpu, cfg, weights, { B, T, lora: { targets: c.targets, values: c.values, dropout: 0 }, logitsRows: B * T });
  try {
    const examples = c.batch.inputIds.map((ids, b) => ({ inputIds: ids, labels: c.batch.labels[b] }) as LabeledExample);
    const base = await firstBatchLoss(gpu, cfg, weights, examples);
    const n = net.setBatch({ inputIds: Int32Array.from(c.batch.inputIds.flat()), labels: Int32Array.from(c.batch.labels.flat()) }, B, T);
    let rec = new Recorder(gpu);
    net.zeroGrads(rec);
    net.forward(rec, { backward: true, lossScale: 1 / n });
    net.backward(rec);
    rec.submit();
    rec.destroy();
    const loraLoss = (await net.readLossSum()) / n;
    const grads = new Map<string, Float32Array>();
    for (const t of net.trainable()) grads.set(t.name, await readF32(gpu.device, t.grad, 0, t.size));
    // A forward without backward leaves logits (not dlogits) in the logits buffer.
    rec = new Recorder(gpu);
    net.forward(rec, { backward: false, lossScale: 1 });
    rec.submit();
    rec.destroy();
    const logits = await net.readLogits();
    return { baseLoss: base.loss, loraLoss, grads, logits };
  } finally {
    net.release();
    gpu.buffers.releasePool('weights');
  }
}

describe.runIf(!!python)(`the engine and its exports against Python transformers + PEFT${pythonSkipReason()}`, () => {
  for (const { name: type } of NAMES) {
    it(`${type}: base loss, LoRA loss and gradients, logits; the merged export`, async () => {
      const c = cases.get(type)!;
      const py = answer.cases[type];
      const got = await ours(c);
      const m: Record<string, number> = {};
      // Bars: relative 1e-5 (losses, logits; per tensor max |Δ| / max |ref|) and 1e-4 (gradients), 10–50× above what
      // SwiftShader measures (see the table printed at the end), so a real divergence of any size shows.
      for (const prec of ['f32', 'f64'] as const) {
        const p = py[prec];
        // PEFT resolved all-linear to the same modules and loaded our file's values unchanged.
        expect(p.lora_keys, `${type}: PEFT's LoRA modules`).toEqual(c.targets.flatMap((t) => [t.keyA, t.keyB]).sort());
        expect(p.loaded_max_diff, `${type}: PEFT loaded the adapter's values`).toBe(0);
        m[`base loss ${prec}`] = Math.abs(got.baseLoss - p.base_loss) / p.base_loss;
        m[`lora loss ${prec}`] = Math.abs(got.loraLoss - p.lora_loss) / p.lora_loss;
        expect.soft(m[`base loss ${prec}`], `${type} ${prec}: base loss ${got.baseLoss} vs transformers ${p.base_loss}`).toBeLessThan(1e-5);
        expect.soft(m[`lora loss ${prec}`], `${type} ${prec}: LoRA loss ${got.loraLoss} vs PEFT ${p.lora_loss}`).toBeLessThan(1e-5);
        expect([...got.grads.keys()].sort()).toEqual(Object.keys(p.grads).sort());
        let worst = 0;
        for (const [key, g] of got.grads) {
          const err = relErr(g, p.grads[key]);
          expect.soft(err, `${type} ${prec}: gradient of ${key}: relative error ${err.toExponential(2)}`).toBeLessThan(1e-4);
          worst = Math.max(worst, err);
        }
        m[`grads ${prec}`] = worst;
        m[`logits ${prec}`] = relErr(got.logits, p.lora_logits);
        expect.soft(m[`logits ${prec}`], `${type} ${prec}: logits of base + adapter vs PEFT`).toBeLessThan(1e-5);
        // The merged export vs base + adapter, both in Python: only the one f32 rounding of W + s·B·A differs.
        m[`merged ${prec}`] = relErr(p.merged_logits, p.lora_logits);
        expect.soft(m[`merged ${prec}`], `${type} ${prec}: merged export's logits vs base + PEFT adapter`).toBeLessThan(1e-5);
      }
      // The batch exercises HF's shift and ignore_index: the losses are not the unmasked ones.
      expect(c.batch.labels.flat()).toContain(-100);
      measured.set(type, m);
    });
  }
});

afterAll(() => {
  if (!measured.size) return;
  console.log(`Python ${Object.entries(answer.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; relative differences (engine vs Python f32 | f64):`);
  for (const [type, m] of measured) {
    const f = (k: string) => `${m[`${k} f32`].toExponential(1)} | ${m[`${k} f64`].toExponential(1)}`;
    console.log(`${type}\n   base loss ${f('base loss')}  lora loss ${f('lora loss')}  grads ≤ ${f('grads')}  logits ${f('logits')}  merged-vs-peft ${f('merged')}`);
  }
});
