/**
 * CPU reference of the gated MLP core: out = act(gate) · up, elementwise over N values, act = silu (SwiGLU, default)
 * or gelu_tanh (GeGLU: HF gelu_pytorch_tanh, the same formula as reference/gelu.ts).
 */
type Floats = Float32Array | Float64Array;

export type GatedActivation = 'silu' | 'gelu_tanh';

const sigmoid = (g: number) => (g >= 0 ? 1 / (1 + Math.exp(-g)) : Math.exp(g) / (1 + Math.exp(g)));
const K = Math.sqrt(2 / Math.PI);

/** [act(g), act'(g)] */
function actAndGrad(g: number, activation: GatedActivation): [number, number] {
  if (activation === 'gelu_tanh') {
    const t = Math.tanh(K * (g + 0.044715 * g * g * g));
    return [0.5 * g * (1 + t), 0.5 * (1 + t) + 0.5 * g * (1 - t * t) * K * (1 + 3 * 0.044715 * g * g)];
  }
  const s = sigmoid(g);
  return [g * s, s * (1 + g * (1 - s))];
}

export function swigluForward(out: Floats, gate: Floats, up: Floats, N: number, opts: { activation?: GatedActivation } = {}): void {
  const activation = opts.activation ?? 'silu';
  for (let i = 0; i < N; i++) out[i] = actAndGrad(gate[i], activation)[0] * up[i];
}

/**
 * dgate = dout·up·act'(g), dup = dout·act(g); for silu with s = sigmoid(g): act' = s·(1 + g(1 − s)), act = g·s.
 * Written, or added with accumulate.
 */
export function swigluBackward(
  dgate: Floats, dup: Floats, dout: Floats, gate: Floats, up: Floats, N: number,
  opts: { accumulate?: boolean; activation?: GatedActivation } = {},
): void {
  const activation = opts.activation ?? 'silu';
  for (let i = 0; i < N; i++) {
    const [a, da] = actAndGrad(gate[i], activation);
    const dg = dout[i] * up[i] * da;
    const du = dout[i] * a;
    dgate[i] = opts.accumulate ? dgate[i] + dg : dg;
    dup[i] = opts.accumulate ? dup[i] + du : du;
  }
}
