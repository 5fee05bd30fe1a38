/**
 * CPU reference of one torch.optim.AdamW step, written from the algorithm in torch's documentation (float64
 * arithmetic, stored into the caller's arrays). Same name and argument order as src/engine/kernels/adamw.ts.
 */
import type { AdamWHyper } from '../kernels/adamw';

type Floats = Float32Array | Float64Array;

export function adamwStep(
  params: Floats, grads: Floats, m: Floats, v: Floats, status: Floats, N: number, hp: AdamWHyper,
): void {
  if (status[2] !== 0) return;
  const clip = status[1];
  const { lr, beta1, beta2, eps, weightDecay, step } = hp;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < N; i++) {
    const g = grads[i] * clip;
    let p = params[i] * (1 - lr * weightDecay);
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    const mHat = mi / bc1;
    const vHat = vi / bc2;
    p -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    m[i] = mi;
    v[i] = vi;
    params[i] = p;
  }
}
