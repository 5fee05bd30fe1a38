/**
 * Float64 building blocks (forward + hand-written backward) of the reference model in model64.ts.
 * Plain loops over row-major Float64Array, written for clarity, not speed. One sequence at a time: T rows.
 * Parameter gradients accumulate (+=) into the arrays passed in (null = not wanted); input gradients are returned.
 * Norm weights passed here are the effective multipliers (offset + w); their gradient equals that of w.
 */
export type F64 = Float64Array;

/** RMSNorm (HF LlamaRMSNorm): y = w ∘ x / √(mean(x²) + eps).  x (T rows, C), w (C) → y (T, C), rstd (T). */
export function rmsnormForward(x: F64, w: F64, T: number, C: number, eps: number): { y: F64; rstd: F64 } {
  const y = new Float64Array(T * C);
  const rstd = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[t * C + c] ** 2;
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[t] = r;
    for (let c = 0; c < C; c++) y[t * C + c] = w[c] * x[t * C + c] * r;
  }
  return { y, rstd };
}

/** n = x·r; dn = dy∘w; dx = r·(dn − n·mean(dn∘n)); dw += Σ_t dy∘n. */
export function rmsnormBackward(dy: F64, x: F64, w: F64, rstd: F64, T: number, C: number, dw: F64 | null): F64 {
  const dx = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    const r = rstd[t];
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dy[t * C + c] * w[c] * x[t * C + c] * r;
    dot /= C;
    for (let c = 0; c < C; c++) {
      const n = x[t * C + c] * r;
      dx[t * C + c] = r * (dy[t * C + c] * w[c] - n * dot);
      if (dw) dw[c] += dy[t * C + c] * n;
    }
  }
  return dx;
}

/** LayerNorm (biased variance): y = w ∘ (x − μ)/√(σ² + eps) + b.  x (T, C) → y (T, C), mean, rstd (T). */
export function layernormForward(x: F64, w: F64, b: F64, T: number, C: number, eps: number): { y: F64; mean: F64; rstd: F64 } {
  const y = new Float64Array(T * C);
  const mean = new Float64Array(T);
  const rstd = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x[t * C + c];
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[t * C + c] - m) ** 2;
    const r = 1 / Math.sqrt(v / C + eps);
    mean[t] = m;
    rstd[t] = r;
    for (let c = 0; c < C; c++) y[t * C + c] = w[c] * (x[t * C + c] - m) * r + b[c];
  }
  return { y, mean, rstd };
}

/** dx = r·(dn − mean(dn) − n·mean(dn∘n)), dn = dy∘w; dw += Σ dy∘n; db += Σ dy. */
export function layernormBackward(
  dy: F64, x: F64, w: F64, mean: F64, rstd: F64, T: number, C: number, dw: F64 | null, db: F64 | null,
): F64 {
  const dx = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    const r = rstd[t];
    let sumDn = 0;
    let sumDnN = 0;
    for (let c = 0; c < C; c++) {
      const n = (x[t * C + c] - mean[t]) * r;
      const dn = dy[t * C + c] * w[c];
      sumDn += dn;
      sumDnN += dn * n;
    }
    for (let c = 0; c < C; c++) {
      const n = (x[t * C + c] - mean[t]) * r;
      dx[t * C + c] = r * (dy[t * C + c] * w[c] - sumDn / C - n * (sumDnN / C));
      if (dw) dw[c] += dy[t * C + c] * n;
      if (db) db[c] += dy[t * C + c];
    }
  }
  return dx;
}

/** A linear module with optional bias and LoRA. W is [out, in] ('linear') or [in, out] ('conv1d'). */
export interface Linear64 {
  W: F64;
  layout: 'linear' | 'conv1d';
  bias: F64 | null;
  inF: number;
  outF: number;
  /** A [r, in], B [out, r]: y += scale · B (A x). */
  lora: { A: F64; B: F64; r: number; scale: number } | null;
}

export interface LinearGrads {
  dW: F64 | null;
  db: F64 | null;
  dA: F64 | null;
  dB: F64 | null;
}

function wAt(lin: Linear64, o: number, i: number): number {
  return lin.layout === 'linear' ? lin.W[o * lin.inF + i] : lin.W[i * lin.outF + o];
}

/** y (T, out) = x W^T + b + scale · (x A^T) B^T; also returns z = x A^T (T, r) for the backward. */
export function linearForward(x: F64, lin: Linear64, T: number): { y: F64; z: F64 | null } {
  const { inF, outF } = lin;
  const y = new Float64Array(T * outF);
  let z: F64 | null = null;
  if (lin.lora) {
    const { A, r } = lin.lora;
    z = new Float64Array(T * r);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < r; k++) {
        let s = 0;
        for (let i = 0; i < inF; i++) s += A[k * inF + i] * x[t * inF + i];
        z[t * r + k] = s;
      }
    }
  }
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < outF; o++) {
      let s = lin.bias ? lin.bias[o] : 0;
      for (let i = 0; i < inF; i++) s += wAt(lin, o, i) * x[t * inF + i];
      if (lin.lora && z) {
        const { B, r, scale } = lin.lora;
        let d = 0;
        for (let k = 0; k < r; k++) d += B[o * r + k] * z[t * r + k];
        s += scale * d;
      }
      y[t * outF + o] = s;
    }
  }
  return { y, z };
}

/**
 * dx = dy W + (scale · dy B) A;  dW += dy^T x (in the weight's layout);  db += Σ dy;
 * dB += scale · dy^T z;  dA += (scale · dy B)^T x.
 */
export function linearBackward(dy: F64, x: F64, z: F64 | null, lin: Linear64, T: number, g: LinearGrads): F64 {
  const { inF, outF } = lin;
  const dx = new Float64Array(T * inF);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < outF; o++) {
      const d = dy[t * outF + o];
      if (d === 0) continue;
      for (let i = 0; i < inF; i++) {
        dx[t * inF + i] += d * wAt(lin, o, i);
        if (g.dW) g.dW[lin.layout === 'linear' ? o * inF + i : i * outF + o] += d * x[t * inF + i];
      }
      if (g.db) g.db[o] += d;
    }
  }
  if (lin.lora && z) {
    const { A, B, r, scale } = lin.lora;
    const dz = new Float64Array(T * r);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < r; k++) {
        let s = 0;
        for (let o = 0; o < outF; o++) {
          s += dy[t * outF + o] * B[o * r + k];
          if (g.dB) g.dB[o * r + k] += scale * dy[t * outF + o] * z[t * r + k];
        }
        dz[t * r + k] = scale * s;
      }
    }
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < r; k++) {
        const d = dz[t * r + k];
        for (let i = 0; i < inF; i++) {
          dx[t * inF + i] += d * A[k * inF + i];
          if (g.dA) g.dA[k * inF + i] += d * x[t * inF + i];
        }
      }
    }
  }
  return dx;
}

/**
 * HF rotate-half RoPE on x (T, nH·hd), head h at columns h·hd…, over the first `rd` dims of each head (partial rotary:
 * the other hd − rd dims pass through). With half = rd/2 and angle θ = t·invFreq[i] (position t = row index):
 *   y[i] = x[i] cos θ − x[i+half] sin θ,   y[i+half] = x[i+half] cos θ + x[i] sin θ.
 * `inverse` applies the transpose rotation (the backward).
 */
export function rope(x: F64, T: number, nH: number, hd: number, rd: number, invFreq: ArrayLike<number>, inverse = false): F64 {
  const half = rd / 2;
  const W = nH * hd;
  const y = x.slice(); // pass-through dims keep their values
  const sign = inverse ? -1 : 1;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const th = t * invFreq[i];
      const c = Math.cos(th);
      const s = sign * Math.sin(th);
      for (let h = 0; h < nH; h++) {
        const a = x[t * W + h * hd + i];
        const b = x[t * W + h * hd + i + half];
        y[t * W + h * hd + i] = a * c - b * s;
        y[t * W + h * hd + i + half] = b * c + a * s;
      }
    }
  }
  return y;
}

/** Shape and masking of one attention call: query p sees key u iff u ≤ p and (no window or p − u < window). */
export interface AttentionShape {
  T: number;
  nH: number;
  nKV: number;
  hd: number;
  /** Multiplier of q·k (HF `scaling`). */
  scale: number;
  window: number | null;
}

/** First key position query p may see. */
function firstKey(p: number, window: number | null): number {
  return window === null ? 0 : Math.max(0, p - window + 1);
}

/**
 * Causal (optionally sliding-window) softmax attention with GQA (HF repeat_kv: query head h reads kv head
 * ⌊h / (nH/nKV)⌋). q (T, nH·hd), k, v (T, nKV·hd) → out (T, nH·hd), probs (nH, T, T) (zero where masked).
 */
export function attentionForward(q: F64, k: F64, v: F64, a: AttentionShape): { out: F64; probs: F64 } {
  const { T, nH, nKV, hd, scale, window } = a;
  const rep = nH / nKV;
  const out = new Float64Array(T * nH * hd);
  const probs = new Float64Array(nH * T * T);
  const qW = nH * hd;
  const kW = nKV * hd;
  for (let h = 0; h < nH; h++) {
    const g = Math.floor(h / rep);
    for (let t = 0; t < T; t++) {
      const row = probs.subarray((h * T + t) * T, (h * T + t + 1) * T);
      const u0 = firstKey(t, window);
      let max = -Infinity;
      for (let u = u0; u <= t; u++) {
        let s = 0;
        for (let d = 0; d < hd; d++) s += q[t * qW + h * hd + d] * k[u * kW + g * hd + d];
        row[u] = s * scale;
        max = Math.max(max, row[u]);
      }
      let sum = 0;
      for (let u = u0; u <= t; u++) sum += row[u] = Math.exp(row[u] - max);
      for (let u = u0; u <= t; u++) row[u] /= sum;
      for (let d = 0; d < hd; d++) {
        let s = 0;
        for (let u = u0; u <= t; u++) s += row[u] * v[u * kW + g * hd + d];
        out[t * qW + h * hd + d] = s;
      }
    }
  }
  return { out, probs };
}

/** dP = dO V^T; dS = P ∘ (dP − rowsum(P ∘ dP)); dQ = scale dS K; dK += scale dS^T Q; dV += P^T dO (summed over the group). */
export function attentionBackward(dout: F64, q: F64, k: F64, v: F64, probs: F64, a: AttentionShape): { dq: F64; dk: F64; dv: F64 } {
  const { T, nH, nKV, hd, scale, window } = a;
  const rep = nH / nKV;
  const qW = nH * hd;
  const kW = nKV * hd;
  const dq = new Float64Array(T * qW);
  const dk = new Float64Array(T * kW);
  const dv = new Float64Array(T * kW);
  const dp = new Float64Array(T);
  for (let h = 0; h < nH; h++) {
    const g = Math.floor(h / rep);
    for (let t = 0; t < T; t++) {
      const row = probs.subarray((h * T + t) * T, (h * T + t + 1) * T);
      const u0 = firstKey(t, window);
      let dot = 0;
      for (let u = u0; u <= t; u++) {
        let s = 0;
        for (let d = 0; d < hd; d++) {
          s += dout[t * qW + h * hd + d] * v[u * kW + g * hd + d];
          dv[u * kW + g * hd + d] += row[u] * dout[t * qW + h * hd + d];
        }
        dp[u] = s;
        dot += row[u] * s;
      }
      for (let u = u0; u <= t; u++) {
        const ds = row[u] * (dp[u] - dot) * scale;
        for (let d = 0; d < hd; d++) {
          dq[t * qW + h * hd + d] += ds * k[u * kW + g * hd + d];
          dk[u * kW + g * hd + d] += ds * q[t * qW + h * hd + d];
        }
      }
    }
  }
  return { dq, dk, dv };
}

/** SiLU x·σ(x) and its derivative σ(x)·(1 + x·(1 − σ(x))). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}
export function siluGrad(x: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
}

const GELU_K = Math.sqrt(2 / Math.PI);
/** HF gelu_new / gelu_pytorch_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x ** 3)));
}
export function geluTanhGrad(x: number): number {
  const th = Math.tanh(GELU_K * (x + 0.044715 * x ** 3));
  return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * GELU_K * (1 + 3 * 0.044715 * x * x);
}

/** The MLP activation named by `hiddenAct`, with its derivative. */
export function activation(name: 'silu' | 'gelu_tanh'): { f: (x: number) => number; df: (x: number) => number } {
  return name === 'silu' ? { f: silu, df: siluGrad } : { f: geluTanh, df: geluTanhGrad };
}

/** Columns [start, start + n) of x (T, width) → (T, n). */
export function sliceCols(x: F64, T: number, width: number, start: number, n: number): F64 {
  const out = new Float64Array(T * n);
  for (let t = 0; t < T; t++) out.set(x.subarray(t * width + start, t * width + start + n), t * n);
  return out;
}

/** Concatenates (T, wᵢ) blocks along columns → (T, Σ wᵢ): the inverse of sliceCols over consecutive blocks. */
export function concatCols(parts: F64[], T: number): F64 {
  const widths = parts.map((p) => p.length / T);
  const W = widths.reduce((a, b) => a + b, 0);
  const out = new Float64Array(T * W);
  for (let t = 0; t < T; t++) {
    let off = 0;
    parts.forEach((p, j) => {
      out.set(p.subarray(t * widths[j], (t + 1) * widths[j]), t * W + off);
      off += widths[j];
    });
  }
  return out;
}

/** a += b, elementwise. */
export function addInto(a: F64, b: F64): F64 {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}
