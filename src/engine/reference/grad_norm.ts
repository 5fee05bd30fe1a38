/**
 * CPU reference of the global gradient norm and clip factor (float64). Same names and argument order as
 * src/engine/kernels/grad_norm.ts; status is [normSquared, clipScale, nonFinite, ...].
 */
type Floats = Float32Array | Float64Array;

export function gradNormBegin(status: Floats): void {
  status.set([0, 1, 0, 0]);
}

export function gradNormAccumulate(status: Floats, grads: Floats, N: number): void {
  let s = 0;
  for (let i = 0; i < N; i++) s += grads[i] * grads[i];
  status[0] += s;
}

/** torch.nn.utils.clip_grad_norm_: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1. */
export function gradNormFinish(status: Floats, maxNorm: number): void {
  const norm = Math.sqrt(status[0]);
  const nonFinite = !Number.isFinite(norm);
  status[1] = nonFinite ? 0 : maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  status[2] = nonFinite ? 1 : 0;
}
