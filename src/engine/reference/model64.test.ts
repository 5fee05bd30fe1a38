/**
 * Tests of the float64 reference model, for every tiny model type (every supported family):
 *  - its backward against central finite differences (LoRA A and B on every module role with non-zero B; entries of
 *    every base tensor in fullParams mode: embedding, every norm kind incl. q/k and post norms, every linear, biases),
 *  - its forward against a naive, differently written HF-style forward (model64Naive.ts: layouts, rotate-half,
 *    repeat_kv order, fused split orders, norm placement, masks, scales),
 *  - LoRA forward == forward with PEFT-merged weights,
 *  - targeted feature checks that do not rely on the naive forward's reading of the spec: sliding-window reach,
 *    NoPE and partial-rotary permutation invariance, embedScale on the input only, norm offsets, attention scale,
 *    per-head vs whole-projection q/k norms, post-norm placement, fused == unfused projections,
 *  - label masking and causality.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig, ModelType } from '../model/config.ts';
import { parseLoraConfig, resolveLoraTargets, type LoraTarget } from '../model/lora.ts';
import { embedWeightName, expectedTensors, linearModules, positionEmbedWeightName } from '../model/tensors.ts';
import { TINY_MODEL_TYPES, tinyBatch, tinyLoraParams, tinyModel, toFloat64 } from '../model/tiny.ts';
import { numericGrad } from '../../testing/finiteDiff.ts';
import { model64, type Model64Args } from './model64.ts';
import { naiveLogits } from './model64Naive.ts';

interface Case {
  name: string;
  type: ModelType;
  overrides: Record<string, unknown>;
  lora: Record<string, unknown>;
}

const ALL_LINEAR = { target_modules: 'all-linear', r: 4, lora_alpha: 8 };
const CASES: Case[] = [
  { name: 'llama, GQA 4/2, untied', type: 'llama', overrides: {}, lora: { ...ALL_LINEAR, rank_pattern: { down_proj: 2 } } },
  { name: 'qwen2, q/k/v biases, tied', type: 'qwen2', overrides: {}, lora: { target_modules: 'all-linear', r: 3, lora_alpha: 6, use_rslora: true } },
  { name: 'gpt2, Conv1D, learned positions, tied', type: 'gpt2', overrides: {}, lora: { target_modules: 'all-linear', r: 4, lora_alpha: 16 } },
  {
    name: 'llama, MQA, head_dim 16 ≠ C/nH, all biases, llama3 rope, tied',
    type: 'llama',
    overrides: {
      num_key_value_heads: 1, head_dim: 16, attention_bias: true, mlp_bias: true, tie_word_embeddings: true,
      rope_scaling: { rope_type: 'llama3', factor: 4, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 },
    },
    lora: { target_modules: ['q_proj', 'v_proj', 'o_proj', 'up_proj'], r: 2, lora_alpha: 4, alpha_pattern: { o_proj: 1 } },
  },
  { name: 'mistral, MQA, every layer slides over 4 keys', type: 'mistral', overrides: { sliding_window: 4 }, lora: ALL_LINEAR },
  { name: 'qwen3, per-head q/k norms, head_dim 16', type: 'qwen3', overrides: {}, lora: ALL_LINEAR },
  { name: 'gemma3, sandwich (1 + w) norms, q/k norms, window 4 + full, GeGLU, √C embeddings', type: 'gemma3_text', overrides: {}, lora: { ...ALL_LINEAR, alpha_pattern: { 'mlp\\..*': 2 } } },
  { name: 'gemma3 with attention biases, untied', type: 'gemma3_text', overrides: { attention_bias: true, tie_word_embeddings: false }, lora: ALL_LINEAR },
  { name: 'phi3, fused qkv / gate_up, partial rotary, window 6', type: 'phi3', overrides: {}, lora: { ...ALL_LINEAR, rank_pattern: { gate_up_proj: 2 } } },
  { name: 'olmo2, post-norms only, whole-projection q/k norms', type: 'olmo2', overrides: {}, lora: ALL_LINEAR },
  { name: 'smollm3, NoPE layer 1, tied', type: 'smollm3', overrides: {}, lora: ALL_LINEAR },
];

function setup(c: Case, seed = 11) {
  const m = tinyModel(c.type, seed, c.overrides);
  const targets = resolveLoraTargets(m.config, parseLoraConfig({ peft_type: 'LORA', task_type: 'CAUSAL_LM', ...c.lora }));
  const params = toFloat64(tinyLoraParams(targets, seed + 1, 0.3));
  const weights = toFloat64(m.weights);
  const batch = tinyBatch(m.config, seed + 2, 2, 10);
  const args: Model64Args = { config: m.config, weights, lora: { targets, params }, ...batch };
  return { config: m.config, targets, params, weights, args };
}

/** Deterministic sample of k distinct indices in [0, n). */
function sample(n: number, k: number, seed: number): number[] {
  const out = new Set<number>();
  let s = seed;
  while (out.size < Math.min(k, n)) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.add(s % n);
  }
  return [...out];
}

/** Central difference of the loss w.r.t. arr[i] (numericGrad on a one-element view of arr). */
function fd(args: Model64Args, arr: Float64Array, i: number): number {
  return numericGrad(() => model64({ ...args, backward: false }).loss, arr.subarray(i, i + 1))[0];
}

function expectGradMatches(what: string, analytic: number, numeric: number) {
  const tol = 1e-8 + 1e-6 * Math.max(Math.abs(analytic), Math.abs(numeric));
  expect(Math.abs(analytic - numeric), `${what}: analytic ${analytic}, finite difference ${numeric}`).toBeLessThanOrEqual(tol);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

describe('model64 backward vs finite differences', () => {
  it('the cases cover every tiny model type', () => {
    expect(new Set(CASES.map((c) => c.type))).toEqual(new Set(TINY_MODEL_TYPES));
  });

  for (const c of CASES) {
    it(`${c.name}: LoRA A and B gradients on every targeted module (B ≠ 0)`, () => {
      const { targets, params, args } = setup(c);
      const res = model64(args);
      expect(res.loss).toBeGreaterThan(1);
      expect([...res.grads.keys()].sort()).toEqual(targets.flatMap((t) => [t.keyA, t.keyB]).sort()); // LoRA only
      let nonzero = 0, checked = 0;
      targets.forEach((t, ti) => {
        for (const key of [t.keyA, t.keyB]) {
          const g = res.grads.get(key)!;
          for (const i of sample(g.length, 2, ti * 7 + key.length)) {
            expectGradMatches(`${key}[${i}]`, g[i], fd(args, params.get(key)!, i));
            checked++;
            if (Math.abs(g[i]) > 1e-7) nonzero++;
          }
        }
      });
      expect(nonzero).toBeGreaterThan(0.8 * checked); // the check is not vacuous
    });

    it(`${c.name}: every base tensor in fullParams mode`, () => {
      const { config, weights, args } = setup(c, 23);
      const res = model64({ ...args, fullParams: true });
      const specs = expectedTensors(config);
      for (const s of specs) expect(res.grads.get(s.name)?.length, s.name).toBe(s.shape.reduce((a, b) => a * b, 1));
      const C = config.hidden;
      const usedRows = [...new Set(args.inputIds.flat())];
      specs.forEach((s, si) => {
        const g = res.grads.get(s.name)!;
        const w = weights.get(s.name)!;
        // Embedding rows of unused tokens and position rows ≥ T have zero gradient: sample used rows too.
        const idx = sample(g.length, 3, si + 1);
        if (s.name === embedWeightName(config)) idx.push(usedRows[0] * C + 3, usedRows[1] * C + 5);
        if (s.name === positionEmbedWeightName(config)) idx.push(2 * C + 7, 9 * C + 1);
        for (const i of idx) expectGradMatches(`${s.name}[${i}]`, g[i], fd(args, w, i));
        expect(g.some((v) => v !== 0), `${s.name} gradient is all zero`).toBe(true);
      });
    });
  }
});

/** PEFT merge: W += scale·B A ([out, in]); for Conv1D (fan_in_fan_out) W += scale·(B A)ᵀ ([in, out]). */
function mergeLora(weights: Map<string, Float64Array>, targets: readonly LoraTarget[], params: Map<string, Float64Array>) {
  const merged = new Map([...weights].map(([k, v]) => [k, v.slice()]));
  for (const t of targets) {
    const W = merged.get(`${t.module}.weight`)!;
    const A = params.get(t.keyA)!;
    const B = params.get(t.keyB)!;
    for (let o = 0; o < t.outFeatures; o++) {
      for (let i = 0; i < t.inFeatures; i++) {
        let d = 0;
        for (let k = 0; k < t.r; k++) d += B[o * t.r + k] * A[k * t.inFeatures + i];
        W[t.layout === 'linear' ? o * t.inFeatures + i : i * t.outFeatures + o] += t.scale * d;
      }
    }
  }
  return merged;
}

describe('model64 forward semantics', () => {
  for (const c of CASES) {
    it(`${c.name}: logits equal a naive HF-style forward; loss = mean shifted cross-entropy`, () => {
      const { config, weights, args } = setup(c, 5);
      const res = model64({ ...args, lora: undefined, returnLogits: true, backward: false });
      const V = config.vocabSize;
      const T = args.inputIds[0].length;
      for (let b = 0; b < args.inputIds.length; b++) {
        const want = naiveLogits(config, weights, args.inputIds[b]).flat();
        expect(maxAbsDiff(res.logits!.subarray(b * T * V, (b + 1) * T * V), want)).toBeLessThan(1e-10);
      }
      let sum = 0, n = 0;
      args.labels.forEach((row, b) => row.forEach((y, t) => {
        if (t === 0 || y === -100) return;
        const l = Array.from(res.logits!.subarray((b * T + t - 1) * V, (b * T + t) * V));
        const mx = Math.max(...l);
        sum += Math.log(l.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx - l[y];
        n++;
      }));
      expect(res.nTargets).toBe(n);
      expect(Math.abs(res.loss - sum / n)).toBeLessThan(1e-12);
    });

    it(`${c.name}: LoRA forward equals the forward with PEFT-merged weights`, () => {
      const { targets, params, weights, args } = setup(c, 6);
      const withLora = model64({ ...args, returnLogits: true, backward: false });
      const merged = model64({ ...args, weights: mergeLora(weights, targets, params), lora: undefined, returnLogits: true, backward: false });
      expect(maxAbsDiff(withLora.logits!, merged.logits!)).toBeLessThan(1e-10);
      const base = model64({ ...args, lora: undefined, returnLogits: true, backward: false });
      expect(maxAbsDiff(withLora.logits!, base.logits!)).toBeGreaterThan(1e-3); // LoRA really changes the output
    });
  }
});

/** ---------- targeted feature checks ---------- */
type W64 = Map<string, Float64Array>;

function logitsOf(config: ModelConfig, weights: W64, ids: number[]): Float64Array {
  return model64({ config, weights, inputIds: [ids], labels: [ids], returnLogits: true, backward: false }).logits!;
}
/** Logits of the last position. */
function lastLogits(config: ModelConfig, weights: W64, ids: number[]): Float64Array {
  return logitsOf(config, weights, ids).slice((ids.length - 1) * config.vocabSize);
}
/** The same sequence with every position before the last reversed. */
const permuteEarlier = (ids: number[]) => [...ids.slice(0, -1).reverse(), ids[ids.length - 1]];
const idsOf = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 37 + seed * 11 + 5) % 96);
/** A copy of the weights with `f(name, values)` applied in place to a clone. */
function edit(weights: W64, f: (name: string, w: Float64Array) => void): W64 {
  const out = new Map([...weights].map(([k, v]) => [k, v.slice()]));
  for (const [k, v] of out) f(k, v);
  return out;
}
function linearWeight(config: ModelConfig, layer: number, role: string): string {
  return linearModules(config).find((m) => m.layer === layer && m.role === role)!.weight;
}

describe('model64 features', () => {
  it.each([
    ['gemma3_text', { layer_types: ['sliding_attention', 'sliding_attention'], sliding_window: 3 }, 3],
    ['mistral', { sliding_window: 3 }, 3],
    ['phi3', { sliding_window: 2 }, 2],
    ['qwen2', { use_sliding_window: true, sliding_window: 1, max_window_layers: 0 }, 1],
  ] as const)('%s: with every layer sliding over w keys, position p sees exactly tokens p − L(w−1) … p', (type, overrides, w) => {
    const m = tinyModel(type, 3, overrides);
    expect(m.config.layers.map((l) => l.window)).toEqual([w, w]);
    const weights = toFloat64(m.weights);
    const ids = idsOf(12, 1);
    const p = ids.length - 1;
    const first = p - m.config.nLayers * (w - 1); // earliest token that can reach p
    const base = lastLogits(m.config, weights, ids);
    const outside = ids.map((id, t) => (t < first ? (id + 13) % 96 : id));
    expect(maxAbsDiff(lastLogits(m.config, weights, outside), base)).toBe(0);
    const inside = ids.map((id, t) => (t === first ? (id + 13) % 96 : id));
    expect(maxAbsDiff(lastLogits(m.config, weights, inside), base)).toBeGreaterThan(1e-6);
  });

  it('gemma3: a full-attention layer after a sliding one reaches every earlier token', () => {
    const m = tinyModel('gemma3_text', 3); // layer 0 slides over 4 keys, layer 1 is global
    expect(m.config.layers.map((l) => l.window)).toEqual([4, null]);
    const weights = toFloat64(m.weights);
    const ids = idsOf(12, 2);
    const changed = [(ids[0] + 1) % 96, ...ids.slice(1)];
    expect(maxAbsDiff(lastLogits(m.config, weights, changed), lastLogits(m.config, weights, ids))).toBeGreaterThan(1e-6);
  });

  it('smollm3: a NoPE layer is blind to the order of earlier tokens; a RoPE layer is not', () => {
    const m = tinyModel('smollm3', 4, { num_hidden_layers: 1, no_rope_layers: [1] });
    const weights = toFloat64(m.weights);
    const nope: ModelConfig = { ...m.config, layers: m.config.layers.map((l) => ({ ...l, rope: null })) };
    const ids = idsOf(9, 3);
    expect(maxAbsDiff(lastLogits(nope, weights, permuteEarlier(ids)), lastLogits(nope, weights, ids))).toBeLessThan(1e-12);
    expect(maxAbsDiff(lastLogits(m.config, weights, permuteEarlier(ids)), lastLogits(m.config, weights, ids))).toBeGreaterThan(1e-6);
    // The tiny smollm3's layer 1 is NoPE; giving it layer 0's RoPE changes the output.
    const t = tinyModel('smollm3', 4);
    expect(t.config.layers.map((l) => l.rope !== null)).toEqual([true, false]);
    const roped: ModelConfig = { ...t.config, layers: t.config.layers.map((l) => ({ ...l, rope: t.config.layers[0].rope })) };
    const w2 = toFloat64(t.weights);
    expect(maxAbsDiff(logitsOf(roped, w2, ids), logitsOf(t.config, w2, ids))).toBeGreaterThan(1e-6);
  });

  it('phi3: partial rotary rotates the first rotaryDim dims of each q/k head only (fused qkv_proj)', () => {
    const m = tinyModel('phi3', 5, { num_hidden_layers: 1, sliding_window: null });
    const { headDim: hd, rotaryDim: rd, nHeads, nKVHeads } = m.config;
    expect(rd).toBeLessThan(hd);
    const C = m.config.hidden;
    const qkv = linearWeight(m.config, 0, 'qkv');
    // Zero the q and k output rows (nn.Linear [out, in]) whose within-head dim satisfies `which`.
    const zeroQk = (which: (d: number) => boolean) => edit(toFloat64(m.weights), (name, w) => {
      if (name !== qkv) return;
      for (let r = 0; r < (nHeads + nKVHeads) * hd; r++) if (which(r % hd)) w.fill(0, r * C, (r + 1) * C);
    });
    const ids = idsOf(9, 4);
    const change = (weights: W64) => maxAbsDiff(lastLogits(m.config, weights, permuteEarlier(ids)), lastLogits(m.config, weights, ids));
    expect(change(zeroQk((d) => d < rd))).toBeLessThan(1e-12); // only pass-through dims left: no position information
    expect(change(zeroQk((d) => d >= rd))).toBeGreaterThan(1e-6); // only rotated dims left
  });

  it.each([['gemma3_text', undefined], ['gpt2', 2]] as const)(
    '%s: token embeddings are scaled by embedScale on the input only (tied head and learned positions unscaled)',
    (type, scale) => {
      const m = tinyModel(type, 6);
      const tied: ModelConfig = { ...m.config, embedScale: scale ?? m.config.embedScale };
      const s = tied.embedScale;
      if (type === 'gemma3_text') expect(s).toBe(Math.fround(Math.sqrt(32)));
      const embName = embedWeightName(tied);
      const weights = toFloat64(m.weights);
      const untied: ModelConfig = { ...tied, embedScale: 1, tieEmbeddings: false };
      const uw = edit(weights, (name, w) => name === embName && w.forEach((v, i) => (w[i] = v * s)));
      uw.set('lm_head.weight', weights.get(embName)!.slice());
      const batch = tinyBatch(tied, 7);
      const a = model64({ config: tied, weights, ...batch, fullParams: true, returnLogits: true });
      const b = model64({ config: untied, weights: uw, ...batch, fullParams: true, returnLogits: true });
      expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-12);
      // d/d(emb) = s · d/d(scaled input table) + d/d(head)
      const want = b.grads.get(embName)!.map((g, i) => s * g + b.grads.get('lm_head.weight')![i]);
      expect(maxAbsDiff(a.grads.get(embName)!, want)).toBeLessThan(1e-12);
    },
  );

  it('gemma3: every norm (pre, post, q/k, final) multiplies by 1 + w', () => {
    const m = tinyModel('gemma3_text', 8);
    const weights = toFloat64(m.weights);
    const names = expectedTensors(m.config).filter((s) => s.shape.length === 1 && !s.name.endsWith('.bias')).map((s) => s.name);
    expect(names.filter((n) => /q_norm|k_norm/.test(n))).toHaveLength(4);
    expect(names.filter((n) => /pre_feedforward|post_feedforward|post_attention|input_layernorm/.test(n))).toHaveLength(8);
    const plain: ModelConfig = { ...m.config, normWeightOffset: 0 };
    const shifted = edit(weights, (name, w) => names.includes(name) && w.forEach((v, i) => (w[i] = v + 1)));
    const ids = idsOf(10, 5);
    expect(maxAbsDiff(logitsOf(plain, shifted, ids), logitsOf(m.config, weights, ids))).toBeLessThan(1e-12);
    expect(maxAbsDiff(logitsOf(plain, weights, ids), logitsOf(m.config, weights, ids))).toBeGreaterThan(1e-3);
  });

  it('llama: scores are multiplied by attentionScale (doubling it = doubling q_proj)', () => {
    const m = tinyModel('llama', 9);
    const weights = toFloat64(m.weights);
    const doubled: ModelConfig = { ...m.config, attentionScale: 2 * m.config.attentionScale };
    const qNames = [0, 1].map((l) => linearWeight(m.config, l, 'q'));
    const w2 = edit(weights, (name, w) => qNames.includes(name) && w.forEach((v, i) => (w[i] = 2 * v)));
    const ids = idsOf(10, 6);
    expect(maxAbsDiff(logitsOf(doubled, weights, ids), logitsOf(m.config, w2, ids))).toBeLessThan(1e-12);
    expect(maxAbsDiff(logitsOf(doubled, weights, ids), logitsOf(m.config, weights, ids))).toBeGreaterThan(1e-4);
  });

  // RMSNorm is invariant to scaling its input (up to eps, made negligible here): that locates each norm.
  const scaleRows = (weights: W64, name: string, rows: number[], C: number, f: number) =>
    edit(weights, (n, w) => n === name && rows.forEach((r) => { for (let i = r * C; i < (r + 1) * C; i++) w[i] *= f; }));
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

  it('qwen3 normalises q/k per head; olmo2 over the whole projection', () => {
    const ids = idsOf(10, 7);
    for (const type of ['qwen3', 'olmo2']) {
      const m = tinyModel(type, 10, { rms_norm_eps: 1e-14 });
      const { hidden: C, headDim: hd, nHeads } = m.config;
      const weights = toFloat64(m.weights);
      const base = logitsOf(m.config, weights, ids);
      const qName = linearWeight(m.config, 0, 'q');
      const kName = linearWeight(m.config, 0, 'k');
      const oneHead = scaleRows(scaleRows(weights, qName, range(0, hd), C, 3), kName, range(hd, 2 * hd), C, 0.5);
      const allQ = scaleRows(scaleRows(weights, qName, range(0, nHeads * hd), C, 3), kName, range(0, m.config.nKVHeads * hd), C, 0.5);
      expect(maxAbsDiff(logitsOf(m.config, allQ, ids), base), type).toBeLessThan(1e-9);
      if (type === 'qwen3') expect(maxAbsDiff(logitsOf(m.config, oneHead, ids), base)).toBeLessThan(1e-9);
      else expect(maxAbsDiff(logitsOf(m.config, oneHead, ids), base)).toBeGreaterThan(1e-4);
    }
  });

  it('olmo2 and gemma3 normalise the o_proj and down_proj outputs before the residual add; llama does not', () => {
    const ids = idsOf(10, 8);
    for (const type of ['olmo2', 'gemma3_text', 'llama']) {
      const m = tinyModel(type, 11, { rms_norm_eps: 1e-14 });
      const weights = toFloat64(m.weights);
      const outs = [0, 1].flatMap((l) => [linearWeight(m.config, l, 'o'), linearWeight(m.config, l, 'down')]);
      const scaled = edit(weights, (name, w) => outs.includes(name) && w.forEach((v, i) => (w[i] = 3 * v)));
      const d = maxAbsDiff(logitsOf(m.config, scaled, ids), logitsOf(m.config, weights, ids));
      if (type === 'llama') expect(d).toBeGreaterThan(1e-3);
      else expect(d, type).toBeLessThan(1e-9);
    }
  });

  it('phi3 fused qkv_proj / gate_up_proj equal separate q/k/v and gate/up projections (forward and gradients)', () => {
    const f = tinyModel('phi3', 12, { partial_rotary_factor: 1, sliding_window: null });
    const u = tinyModel('llama', 12); // same sizes, eps and θ, untied
    const { hidden: C, intermediate: I } = f.config;
    const qW = f.config.nHeads * f.config.headDim, kvW = f.config.nKVHeads * f.config.headDim;
    const fw = toFloat64(f.weights);
    const uw = new Map<string, Float64Array>();
    const rows = (name: string, a: number, b: number) => fw.get(name)!.slice(a * C, b * C);
    const split: Record<string, [string, number, number][]> = {
      qkv: [['q', 0, qW], ['k', qW, qW + kvW], ['v', qW + kvW, qW + 2 * kvW]],
      gateUp: [['gate', 0, I], ['up', I, 2 * I]],
    };
    for (const s of expectedTensors(u.config)) if (fw.has(s.name)) uw.set(s.name, fw.get(s.name)!.slice());
    for (let l = 0; l < 2; l++) {
      uw.set(linearWeight(u.config, l, 'o'), fw.get(linearWeight(f.config, l, 'o'))!.slice());
      uw.set(linearWeight(u.config, l, 'down'), fw.get(linearWeight(f.config, l, 'down'))!.slice());
      for (const [fused, parts] of Object.entries(split)) {
        for (const [role, a, b] of parts) uw.set(linearWeight(u.config, l, role), rows(linearWeight(f.config, l, fused), a, b));
      }
    }
    const batch = tinyBatch(f.config, 3);
    const a = model64({ config: f.config, weights: fw, ...batch, fullParams: true, returnLogits: true });
    const b = model64({ config: u.config, weights: uw, ...batch, fullParams: true, returnLogits: true });
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-12);
    for (let l = 0; l < 2; l++) {
      for (const [fused, parts] of Object.entries(split)) {
        const want = parts.flatMap(([role]) => Array.from(b.grads.get(linearWeight(u.config, l, role))!));
        expect(maxAbsDiff(a.grads.get(linearWeight(f.config, l, fused))!, want)).toBeLessThan(1e-13);
      }
    }
  });
});

describe('model64 label masking and causality', () => {
  const c = CASES[0];

  it('a −100 label contributes nothing: masked = unmasked − that one target (loss and gradients, sum mode)', () => {
    const { args } = setup(c, 9);
    const p = 6; // position of the label to toggle in row 0 (trained in tinyBatch)
    expect(args.labels[0][p]).not.toBe(-100);
    const masked = args.labels.map((r) => r.slice());
    masked[0][p] = -100;
    const only = args.labels.map((r) => r.map(() => -100));
    only[0][p] = args.labels[0][p];
    const run = (labels: number[][]) => model64({ ...args, labels, lossNormalizer: 1, returnLogits: true });
    const [full, m, o] = [run(args.labels), run(masked), run(only)];
    expect(m.nTargets).toBe(full.nTargets - 1);
    expect(Math.abs(m.loss + o.loss - full.loss)).toBeLessThan(1e-12);
    for (const [k, g] of full.grads) {
      const sum = m.grads.get(k)!.map((v, i) => v + o.grads.get(k)![i]);
      expect(maxAbsDiff(sum, g), k).toBeLessThan(1e-13);
    }
    // And the masked position's label value itself is never read: any other masked layout with the same trained set agrees.
    const V = full.logits!.length / (args.inputIds.length * args.inputIds[0].length);
    const l = Array.from(full.logits!.subarray((p - 1) * V, p * V));
    const mx = Math.max(...l);
    expect(Math.abs(o.loss - (Math.log(l.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx - l[args.labels[0][p]]))).toBeLessThan(1e-12);
  });

  it('changing input tokens at or after the last trained target changes neither loss nor gradients', () => {
    const { args } = setup(c, 10);
    const row = 1;
    const lastTarget = args.labels[row].reduce((last, y, t) => (y !== -100 ? t : last), -1);
    expect(lastTarget).toBeLessThan(args.inputIds[row].length - 1); // row 1 ends with padding
    const ids = args.inputIds.map((r) => r.slice());
    for (let t = lastTarget; t < ids[row].length; t++) ids[row][t] = (ids[row][t] + 17 + t) % args.config.vocabSize;
    const a = model64({ ...args, fullParams: true });
    const b = model64({ ...args, inputIds: ids, fullParams: true });
    expect(b.loss).toBe(a.loss);
    for (const [k, g] of a.grads) expect(maxAbsDiff(g, b.grads.get(k)!), k).toBe(0);
    // Control: changing the token just before the last target does change the loss.
    ids[row][lastTarget - 1] = (ids[row][lastTarget - 1] + 1) % args.config.vocabSize;
    expect(model64({ ...args, inputIds: ids, backward: false }).loss).not.toBe(a.loss);
  });

  it('rejects empty targets, out-of-range ids and sequences beyond maxTrainLength', () => {
    const { args } = setup(CASES[0], 12);
    expect(() => model64({ ...args, labels: args.labels.map((r) => r.map(() => -100)) })).toThrow(/no trained targets/);
    expect(() => model64({ ...args, inputIds: [[96, ...args.inputIds[0].slice(1)], args.inputIds[1]] })).toThrow(/input_ids\[0\]\[0\] = 96/);
    const m = tinyModel('gpt2', 1); // n_positions 32: a hard limit
    const long = Array.from({ length: 33 }, (_, i) => i % 96);
    expect(() => model64({ config: m.config, weights: toFloat64(m.weights), inputIds: [long], labels: [long] })).toThrow(/maxTrainLength 32/);
  });

  it('runs a tiny model (C 32, 2 layers, V 96, B 2, T 12) forward+backward in under a second', () => {
    const { args } = setup(CASES[2], 13);
    const batch = tinyBatch(args.config, 1, 2, 12);
    for (let i = 0; i < 3; i++) model64({ ...args, ...batch, fullParams: true }); // warm-up (JIT)
    const t0 = performance.now();
    model64({ ...args, ...batch, fullParams: true });
    expect(performance.now() - t0).toBeLessThan(1000); // typically ~20 ms warm
  });
});
