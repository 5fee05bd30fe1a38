/**
 * CPU reference of causal grouped-query attention, optionally sliding-window: the textbook way (whole score row,
 * max, exp, normalise), in float64 arithmetic, stored into whatever array type the caller passes (Float64Array for
 * finite differences). Same names and argument order as src/engine/kernels/attention.ts minus the recorder.
 */
import type { AttentionOptions } from '../kernels/attention';

type Floats = Float32Array | Float64Array;

/**
 * Visible keys of the query at absolute position pos (query row i sits at Tk − Tq + i): every key u ≤ pos with the
 * query's segment id and, when window > 0, pos − u < window (Hugging Face's sliding-window mask).
 */
function visibleKeys(segments: Uint32Array, b: number, kvCap: number, pos: number, window: number): number[] {
  const seg = segments[b * kvCap + pos];
  const keys: number[] = [];
  for (let j = 0; j <= pos; j++)
    if (segments[b * kvCap + j] === seg && (window === 0 || pos - j < window)) keys.push(j);
  return keys;
}

/** Scaled scores and softmax of one (b, h, query row) over its visible keys. */
function probs(
  q: Floats, k: Floats, keys: number[], qOff: number, b: number, kh: number,
  kvCap: number, nKVHead: number, hd: number, scale: number,
): { p: number[]; lse: number } {
  const s = keys.map((j) => {
    const kOff = ((b * kvCap + j) * nKVHead + kh) * hd;
    let dot = 0;
    for (let d = 0; d < hd; d++) dot += q[qOff + d] * k[kOff + d];
    return dot * scale;
  });
  const m = Math.max(...s);
  const e = s.map((x) => Math.exp(x - m));
  const sum = e.reduce((a, x) => a + x, 0);
  return { p: e.map((x) => x / sum), lse: m + Math.log(sum) };
}

export function attentionForward(
  out: Floats, lse: Floats, q: Floats, k: Floats, v: Floats, segments: Uint32Array,
  B: number, Tq: number, Tk: number, kvCap: number, nHead: number, nKVHead: number, hd: number, scale: number,
  opts: AttentionOptions = {},
): void {
  const window = opts.window ?? 0;
  const rep = nHead / nKVHead;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < nHead; h++) {
      const kh = Math.floor(h / rep);
      for (let i = 0; i < Tq; i++) {
        const keys = visibleKeys(segments, b, kvCap, Tk - Tq + i, window);
        const qOff = ((b * Tq + i) * nHead + h) * hd;
        const r = probs(q, k, keys, qOff, b, kh, kvCap, nKVHead, hd, scale);
        lse[(b * nHead + h) * Tq + i] = r.lse;
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          keys.forEach((j, t) => (acc += r.p[t] * v[((b * kvCap + j) * nKVHead + kh) * hd + d]));
          out[qOff + d] = acc;
        }
      }
    }
}

/** Training shapes (Tq = Tk = kvCap = T). dq, dk, dv are written (zeroed first). opts.window must be the forward's. */
export function attentionBackward(
  dq: Floats, dk: Floats, dv: Floats, dout: Floats, q: Floats, k: Floats, v: Floats, segments: Uint32Array,
  out: Floats, lse: Floats, B: number, T: number, nHead: number, nKVHead: number, hd: number, scale: number,
  opts: AttentionOptions = {},
): void {
  const window = opts.window ?? 0;
  dq.fill(0, 0, B * T * nHead * hd);
  dk.fill(0, 0, B * T * nKVHead * hd);
  dv.fill(0, 0, B * T * nKVHead * hd);
  const rep = nHead / nKVHead;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < nHead; h++) {
      const kh = Math.floor(h / rep);
      for (let i = 0; i < T; i++) {
        const keys = visibleKeys(segments, b, T, i, window);
        const qOff = ((b * T + i) * nHead + h) * hd;
        const rowLse = lse[(b * nHead + h) * T + i];
        let D = 0;
        for (let d = 0; d < hd; d++) D += dout[qOff + d] * out[qOff + d];
        for (const j of keys) {
          const kOff = ((b * T + j) * nKVHead + kh) * hd;
          let s = 0, dp = 0;
          for (let d = 0; d < hd; d++) {
            s += q[qOff + d] * k[kOff + d];
            dp += dout[qOff + d] * v[kOff + d];
          }
          const p = Math.exp(s * scale - rowLse);
          const ds = p * (dp - D);
          for (let d = 0; d < hd; d++) {
            dv[kOff + d] += p * dout[qOff + d];
            dk[kOff + d] += scale * ds * q[qOff + d];
            dq[qOff + d] += scale * ds * k[kOff + d];
          }
        }
      }
    }
}
