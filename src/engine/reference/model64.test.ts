/**
 * Tests of the float64 reference model:
 *  - its backward against central finite differences (LoRA A and B with non-zero B; every base tensor in fullParams),
 *  - its forward against a naive, differently written HF-style forward (catches convention errors a gradient check
 *    cannot: layouts, rotate-half, repeat_kv order, qkv split order, gate/up order),
 *  - LoRA forward == forward with PEFT-merged weights,
 *  - label masking and causality.
 */
import { describe, expect, it } from 'vitest';
import { ropeInvFreq, type ModelConfig, type ModelType } from '../model/config.ts';
import { parseLoraConfig, resolveLoraTargets, type LoraTarget } from '../model/lora.ts';
import { expectedTensors, headWeightName } from '../model/tensors.ts';
import { tinyBatch, tinyLoraParams, tinyModel, toFloat64 } from '../model/tiny.ts';
import { model64, type Model64Args } from './model64.ts';

interface Case {
  name: string;
  arch: ModelType;
  overrides: Record<string, unknown>;
  lora: Record<string, unknown>;
}

const CASES: Case[] = [
  { name: 'llama, GQA 4/2, untied', arch: 'llama', overrides: {}, lora: { target_modules: 'all-linear', r: 4, lora_alpha: 8, rank_pattern: { down_proj: 2 } } },
  { name: 'qwen2, q/k/v biases, tied', arch: 'qwen2', overrides: {}, lora: { target_modules: 'all-linear', r: 3, lora_alpha: 6, use_rslora: true } },
  { name: 'gpt2, Conv1D, tied', arch: 'gpt2', overrides: {}, lora: { target_modules: 'all-linear', r: 4, lora_alpha: 16 } },
  {
    name: 'llama, MQA, head_dim 16 ≠ C/nH, all biases, llama3 rope, tied',
    arch: 'llama',
    overrides: {
      num_key_value_heads: 1, head_dim: 16, attention_bias: true, mlp_bias: true, tie_word_embeddings: true,
      rope_scaling: { rope_type: 'llama3', factor: 4, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 },
    },
    lora: { target_modules: ['q_proj', 'v_proj', 'o_proj', 'up_proj'], r: 2, lora_alpha: 4, alpha_pattern: { o_proj: 1 } },
  },
];

function setup(c: Case, seed = 11) {
  const m = tinyModel(c.arch, seed, c.overrides);
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

/** Central difference of the loss w.r.t. arr[i]. */
function fd(args: Model64Args, arr: Float64Array, i: number, h = 1e-5): number {
  const orig = arr[i];
  arr[i] = orig + h;
  const up = model64({ ...args, backward: false }).loss;
  arr[i] = orig - h;
  const down = model64({ ...args, backward: false }).loss;
  arr[i] = orig;
  return (up - down) / (2 * h);
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
  for (const c of CASES) {
    it(`${c.name}: LoRA A and B gradients (B ≠ 0)`, () => {
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
      const usedRows = [...new Set(args.inputIds.flat())];
      specs.forEach((s, si) => {
        const g = res.grads.get(s.name)!;
        const w = weights.get(s.name)!;
        const C = config.hidden;
        // Embedding rows of unused tokens have zero gradient (unless tied to the head); sample used rows too.
        const idx = /embed_tokens|wte/.test(s.name) ? [...sample(g.length, 2, si), usedRows[0] * C + 3, usedRows[1] * C + 5] : sample(g.length, 3, si + 1);
        for (const i of idx) expectGradMatches(`${s.name}[${i}]`, g[i], fd(args, w, i));
        expect(g.some((v) => v !== 0), `${s.name} gradient is all zero`).toBe(true);
      });
    });
  }
});

/** ---------- naive HF-style forward (no LoRA), written independently of model64 ---------- */
type M = number[][];
const rowsOf = (a: ArrayLike<number>, cols: number): M => Array.from({ length: a.length / cols }, (_, r) => Array.from({ length: cols }, (_, c) => a[r * cols + c]));
const T_ = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const matmul = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const addRow = (a: M, b: number[] | null): M => (b ? a.map((row) => row.map((v, j) => v + b[j])) : a);
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const rms = (x: M, w: number[], eps: number): M => x.map((row) => {
  const r = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length + eps);
  return row.map((v, j) => w[j] * (v * r));
});
const layerNorm = (x: M, w: number[], b: number[], eps: number): M => x.map((row) => {
  const mu = row.reduce((s, v) => s + v, 0) / row.length;
  const vr = row.reduce((s, v) => s + (v - mu) ** 2, 0) / row.length;
  return row.map((v, j) => ((v - mu) / Math.sqrt(vr + eps)) * w[j] + b[j]);
});
/** (T, nH·hd) → nH × (T, hd) */
const heads = (x: M, n: number, hd: number): M[] => Array.from({ length: n }, (_, h) => x.map((row) => row.slice(h * hd, (h + 1) * hd)));
const rotateHalf = (v: number[]) => [...v.slice(v.length / 2).map((x) => -x), ...v.slice(0, v.length / 2)];
function attend(q: M[], k: M[], v: M[], hd: number): M {
  const T = q[0].length;
  const outs = q.map((qh, h) => {
    const scores = matmul(qh, T_(k[h])).map((row, t) => row.map((s, u) => (u <= t ? s / Math.sqrt(hd) : -Infinity)));
    const p = scores.map((row) => {
      const mx = Math.max(...row);
      const e = row.map((s) => Math.exp(s - mx));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    });
    return matmul(p, v[h]);
  });
  return Array.from({ length: T }, (_, t) => outs.flatMap((o) => o[t])); // transpose(1, 2).reshape(T, nH·hd)
}

function naiveLogits(cfg: ModelConfig, w: Map<string, Float64Array>, ids: number[]): M {
  const C = cfg.hidden;
  const get = (n: string) => Array.from(w.get(n)!);
  const mat = (n: string, cols: number) => rowsOf(w.get(n)!, cols);
  const T = ids.length;
  if (cfg.arch === 'gpt2') {
    const wte = mat('transformer.wte.weight', C);
    const wpe = mat('transformer.wpe.weight', C);
    let x: M = ids.map((id, t) => wte[id].map((v, j) => v + wpe[t][j]));
    const conv = (inp: M, name: string, out: number) => addRow(matmul(inp, mat(`${name}.weight`, out)), get(`${name}.bias`));
    for (let l = 0; l < cfg.nLayers; l++) {
      const p = `transformer.h.${l}.`;
      const h = layerNorm(x, get(`${p}ln_1.weight`), get(`${p}ln_1.bias`), cfg.normEps);
      const qkv = conv(h, `${p}attn.c_attn`, 3 * C);
      const [q, k, v] = [0, 1, 2].map((s) => heads(qkv.map((row) => row.slice(s * C, (s + 1) * C)), cfg.nHeads, cfg.headDim));
      x = add(x, conv(attend(q, k, v, cfg.headDim), `${p}attn.c_proj`, C));
      const h2 = layerNorm(x, get(`${p}ln_2.weight`), get(`${p}ln_2.bias`), cfg.normEps);
      const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
      const f = conv(h2, `${p}mlp.c_fc`, cfg.intermediate).map((row) => row.map(gelu));
      x = add(x, conv(f, `${p}mlp.c_proj`, C));
    }
    x = layerNorm(x, get('transformer.ln_f.weight'), get('transformer.ln_f.bias'), cfg.normEps);
    return matmul(x, T_(wte));
  }
  const lin = (inp: M, name: string, inF: number, bias: boolean) => addRow(matmul(inp, T_(mat(`${name}.weight`, inF))), bias ? get(`${name}.bias`) : null);
  const inv = ropeInvFreq(cfg);
  const cos = Array.from({ length: T }, (_, t) => [...inv, ...inv].map((f) => Math.cos(t * f)));
  const sin = Array.from({ length: T }, (_, t) => [...inv, ...inv].map((f) => Math.sin(t * f)));
  const applyRope = (hs: M[]) => hs.map((hm) => hm.map((v, t) => v.map((x, j) => x * cos[t][j] + rotateHalf(v)[j] * sin[t][j])));
  let x: M = ids.map((id) => mat('model.embed_tokens.weight', C)[id]);
  const nRep = cfg.nHeads / cfg.nKVHeads;
  const qDim = cfg.nHeads * cfg.headDim;
  for (let l = 0; l < cfg.nLayers; l++) {
    const p = `model.layers.${l}.`;
    const h = rms(x, get(`${p}input_layernorm.weight`), cfg.normEps);
    const q = applyRope(heads(lin(h, `${p}self_attn.q_proj`, C, cfg.attentionBias), cfg.nHeads, cfg.headDim));
    const k = applyRope(heads(lin(h, `${p}self_attn.k_proj`, C, cfg.attentionBias), cfg.nKVHeads, cfg.headDim));
    const v = heads(lin(h, `${p}self_attn.v_proj`, C, cfg.attentionBias), cfg.nKVHeads, cfg.headDim);
    const repeat = (hs: M[]) => hs.flatMap((hm) => Array.from({ length: nRep }, () => hm)); // repeat_kv
    x = add(x, lin(attend(q, repeat(k), repeat(v), cfg.headDim), `${p}self_attn.o_proj`, qDim, cfg.oProjBias));
    const h2 = rms(x, get(`${p}post_attention_layernorm.weight`), cfg.normEps);
    const g = lin(h2, `${p}mlp.gate_proj`, C, cfg.mlpBias).map((row) => row.map((z) => z / (1 + Math.exp(-z))));
    const u = lin(h2, `${p}mlp.up_proj`, C, cfg.mlpBias);
    x = add(x, lin(g.map((row, i) => row.map((z, j) => z * u[i][j])), `${p}mlp.down_proj`, cfg.intermediate, cfg.mlpBias));
  }
  x = rms(x, get('model.norm.weight'), cfg.normEps);
  return matmul(x, T_(mat(headWeightName(cfg), C)));
}

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
    it(`${c.name}: logits equal a naive HF-style forward`, () => {
      const { config, weights, args } = setup(c, 5);
      const res = model64({ ...args, lora: undefined, returnLogits: true, backward: false });
      const V = config.vocabSize;
      const T = args.inputIds[0].length;
      for (let b = 0; b < args.inputIds.length; b++) {
        const want = naiveLogits(config, weights, args.inputIds[b]).flat();
        expect(maxAbsDiff(res.logits!.subarray(b * T * V, (b + 1) * T * V), want)).toBeLessThan(1e-10);
      }
      // The loss is the mean token cross-entropy of the shifted labels.
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
    const m = tinyModel('mistral', 1); // sliding_window 16
    const long = Array.from({ length: 17 }, (_, i) => i % 96);
    expect(() => model64({ config: m.config, weights: toFloat64(m.weights), inputIds: [long], labels: [long] })).toThrow(/maxTrainLength 16/);
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
