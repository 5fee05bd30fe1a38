/**
 * Test support for model64.test.ts: a naive HF-style forward (no LoRA) written independently of model64 — rows as
 * number[][], heads as separate matrices, repeat_kv by copying heads, RoPE as HF writes it (cat(freqs, freqs),
 * rotate_half on the rotary slice, cat with the pass-through part), masks as −∞ scores. It reads the same features
 * and names as model64, so it catches convention errors a gradient check cannot (layouts, split orders, norm
 * placement, rotate-half, masks, scales), not misreadings of the spec shared by both.
 */
import { ropeInvFreq, type ModelConfig, type NormRole } from '../model/config.ts';
import {
  embedWeightName, finalNormName, headWeightName, linearModules, normName, positionEmbedWeightName, qkNormNames,
} from '../model/tensors.ts';

export type M = number[][];

export const rowsOf = (a: ArrayLike<number>, cols: number): M =>
  Array.from({ length: a.length / cols }, (_, r) => Array.from({ length: cols }, (_, c) => a[r * cols + c]));
const transpose = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const matmul = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const cols = (a: M, from: number, to: number): M => a.map((row) => row.slice(from, to));
/** (T, n·hd) → n × (T, hd) */
const heads = (x: M, n: number, hd: number): M[] => Array.from({ length: n }, (_, h) => cols(x, h * hd, (h + 1) * hd));
const rotateHalf = (v: number[]) => [...v.slice(v.length / 2).map((x) => -x), ...v.slice(0, v.length / 2)];
const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
const silu = (z: number) => z / (1 + Math.exp(-z));

function rmsRow(row: number[], w: number[], eps: number): number[] {
  const r = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length + eps);
  return row.map((v, j) => w[j] * (v * r));
}
function layerNormRow(row: number[], w: number[], b: number[], eps: number): number[] {
  const mu = row.reduce((s, v) => s + v, 0) / row.length;
  const vr = row.reduce((s, v) => s + (v - mu) ** 2, 0) / row.length;
  return row.map((v, j) => ((v - mu) / Math.sqrt(vr + eps)) * w[j] + b[j]);
}

/** Logits (T, V) of one sequence. */
export function naiveLogits(cfg: ModelConfig, w: ReadonlyMap<string, Float64Array>, ids: number[]): M {
  const C = cfg.hidden, hd = cfg.headDim, nH = cfg.nHeads, nKV = cfg.nKVHeads;
  const get = (n: string) => Array.from(w.get(n)!);
  const mat = (n: string, c: number) => rowsOf(w.get(n)!, c);
  const T = ids.length;
  /** Norm over each `width`-chunk of every row (width = row length for a plain norm). */
  const norm = (x: M, name: string, width = x[0].length): M => {
    const g = get(`${name}.weight`).map((v) => v + cfg.normWeightOffset);
    return x.map((row) => {
      const out: number[] = [];
      for (let s = 0; s < row.length; s += width) {
        const chunk = row.slice(s, s + width);
        out.push(...(cfg.norm === 'rmsnorm' ? rmsRow(chunk, g, cfg.normEps) : layerNormRow(chunk, g, get(`${name}.bias`), cfg.normEps)));
      }
      return out;
    });
  };
  const maybeNorm = (x: M, l: number, role: NormRole) => {
    const n = normName(cfg, l, role);
    return n ? norm(x, n) : x;
  };
  const lin = (inp: M, l: number, role: string): M => {
    const s = linearModules(cfg).find((m) => m.layer === l && m.role === role)!;
    const W = s.layout === 'linear' ? transpose(mat(s.weight, s.inFeatures)) : mat(s.weight, s.outFeatures);
    const y = matmul(inp, W);
    return s.bias ? y.map((row) => row.map((v, j) => v + w.get(s.bias!)![j])) : y;
  };
  const has = (l: number, role: string) => linearModules(cfg).some((m) => m.layer === l && m.role === role);
  const act = cfg.hiddenAct === 'silu' ? silu : gelu;

  const emb = mat(embedWeightName(cfg), C);
  const wpeName = positionEmbedWeightName(cfg);
  const wpe = wpeName ? mat(wpeName, C) : null;
  let x: M = ids.map((id, t) => emb[id].map((v, j) => v * cfg.embedScale + (wpe ? wpe[t][j] : 0)));
  const qW = nH * hd, kvW = nKV * hd, I = cfg.intermediate;
  for (let l = 0; l < cfg.nLayers; l++) {
    const { rope, window } = cfg.layers[l];
    const h = maybeNorm(x, l, 'attnIn');
    let q: M, k: M, v: M;
    if (has(l, 'qkv')) {
      const qkv = lin(h, l, 'qkv');
      [q, k, v] = [cols(qkv, 0, qW), cols(qkv, qW, qW + kvW), cols(qkv, qW + kvW, qW + 2 * kvW)];
    } else {
      [q, k, v] = [lin(h, l, 'q'), lin(h, l, 'k'), lin(h, l, 'v')];
    }
    const qk = qkNormNames(cfg, l);
    if (qk) {
      const per = cfg.qkNorm === 'head';
      q = norm(q, qk.q, per ? hd : qW);
      k = norm(k, qk.k, per ? hd : kvW);
    }
    let qh = heads(q, nH, hd), kh = heads(k, nKV, hd);
    const vh = heads(v, nKV, hd);
    if (rope) {
      const inv = Array.from(ropeInvFreq(cfg, rope));
      const rd = cfg.rotaryDim;
      const embF = [...inv, ...inv];
      const apply = (hm: M) => hm.map((vec, t) => {
        const rot = vec.slice(0, rd);
        const rh = rotateHalf(rot);
        return [...rot.map((a, j) => a * Math.cos(t * embF[j]) + rh[j] * Math.sin(t * embF[j])), ...vec.slice(rd)];
      });
      qh = qh.map(apply);
      kh = kh.map(apply);
    }
    const rep = nH / nKV;
    const kr = kh.flatMap((m) => Array.from({ length: rep }, () => m)); // repeat_kv
    const vr = vh.flatMap((m) => Array.from({ length: rep }, () => m));
    const outs = qh.map((qm, hh) => {
      const scores = matmul(qm, transpose(kr[hh])).map((row, t) =>
        row.map((s, u) => (u <= t && (window === null || t - u < window) ? s * cfg.attentionScale : -Infinity)));
      const p = scores.map((row) => {
        const mx = Math.max(...row);
        const e = row.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, b) => a + b, 0);
        return e.map((y) => y / z);
      });
      return matmul(p, vr[hh]);
    });
    const att = Array.from({ length: T }, (_, t) => outs.flatMap((o) => o[t])); // transpose(1, 2).reshape(T, nH·hd)
    x = add(x, maybeNorm(lin(att, l, 'o'), l, 'attnOut'));

    const h2 = maybeNorm(x, l, 'mlpIn');
    let m: M;
    if (cfg.mlp === 'plain') {
      m = lin(h2, l, 'fc').map((row) => row.map(act));
    } else {
      let g: M, u: M;
      if (has(l, 'gateUp')) {
        const gu = lin(h2, l, 'gateUp');
        [g, u] = [cols(gu, 0, I), cols(gu, I, 2 * I)];
      } else {
        [g, u] = [lin(h2, l, 'gate'), lin(h2, l, 'up')];
      }
      m = g.map((row, i) => row.map((z, j) => act(z) * u[i][j]));
    }
    x = add(x, maybeNorm(lin(m, l, 'down'), l, 'mlpOut'));
  }
  x = norm(x, finalNormName(cfg));
  return matmul(x, transpose(mat(headWeightName(cfg), C)));
}
