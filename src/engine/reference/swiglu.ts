/** CPU reference of the SwiGLU MLP core: out = silu(gate) · up, elementwise over N values. */
type Floats = Float32Array | Float64Array;

const sigmoid = (g: number) => (g >= 0 ? 1 / (1 + Math.exp(-g)) : Math.exp(g) / (1 + Math.exp(g)));

export function swigluForward(out: Floats, gate: Floats, up: Floats, N: number): void {
  for (let i = 0; i < N; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

/** dgate = dout·up·s·(1 + g(1 − s)), dup = dout·g·s with s = sigmoid(g); written, or added with accumulate. */
export function swigluBackward(dgate: Floats, dup: Floats, dout: Floats, gate: Floats, up: Floats, N: number, opts: { accumulate?: boolean } = {}): void {
  for (let i = 0; i < N; i++) {
    const g = gate[i], s = sigmoid(g);
    const dg = dout[i] * up[i] * s * (1 + g * (1 - s));
    const du = dout[i] * g * s;
    dgate[i] = opts.accumulate ? dgate[i] + dg : dg;
    dup[i] = opts.accumulate ? dup[i] + du : du;
  }
}
