/** CPU references of the residual / scaling helpers (elementwise over N values). */
type Floats = Float32Array | Float64Array;

export function addForward(out: Floats, a: Floats, b: Floats, N: number): void {
  for (let i = 0; i < N; i++) out[i] = a[i] + b[i];
}

export function accumulate(dst: Floats, src: Floats, N: number, alpha = 1): void {
  for (let i = 0; i < N; i++) dst[i] += alpha * src[i];
}

export function scaleInplace(x: Floats, N: number, alpha: number): void {
  for (let i = 0; i < N; i++) x[i] *= alpha;
}

export function copy(dst: Floats, src: Floats, N: number): void {
  for (let i = 0; i < N; i++) dst[i] = src[i];
}
