/** CPU reference of GELU, tanh approximation (HF gelu_new / gelu_pytorch_tanh), elementwise over N values. */
type Floats = Float32Array | Float64Array;

const K = Math.sqrt(2 / Math.PI);

export function geluForward(out: Floats, inp: Floats, N: number): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x)));
  }
}

/** dinp = dout · d gelu/dx; written, or added with accumulate. */
export function geluBackward(dinp: Floats, dout: Floats, inp: Floats, N: number, opts: { accumulate?: boolean } = {}): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    const t = Math.tanh(K * (x + 0.044715 * x * x * x));
    const g = dout[i] * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * 0.044715 * x * x));
    dinp[i] = opts.accumulate ? dinp[i] + g : g;
  }
}
