/**
 * Argument checks shared by the kernel wrappers. The GPU cannot report a bad size, it just computes garbage or
 * reads out of bounds (clamped to zero), so every wrapper validates on the host and names what is wrong.
 */

/** `n` must be a positive integer. */
export function requireCount(kernel: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${kernel}: ${name} must be a positive integer, got ${n}`);
}

/** Every buffer must hold at least `floats` f32 values. */
export function requireFloats(kernel: string, floats: number, bufs: [GPUBuffer, string][]): void {
  for (const [b, what] of bufs)
    if (b.size < floats * 4) throw new RangeError(`${kernel}: ${what} holds ${Math.floor(b.size / 4)} f32 but needs ${floats}`);
}

/** The common elementwise case: N positive and every buffer holding N floats. */
export function requireElementwise(kernel: string, N: number, bufs: [GPUBuffer, string][]): void {
  requireCount(kernel, 'N', N);
  requireFloats(kernel, N, bufs);
}

/** Checks for a row-wise kernel over (N, C) tensors, with messages prefixed by the kernel's name. */
export function rowKernelChecks(kernel: string) {
  return {
    check(ok: boolean, msg: string): void {
      if (!ok) throw new RangeError(`${kernel}: ${msg}`);
    },
    checkSizes(N: number, C: number): void {
      requireCount(kernel, 'N', N);
      requireCount(kernel, 'C', C);
    },
    fits(buf: GPUBuffer, floats: number, what: string): void {
      requireFloats(kernel, floats, [[buf, what]]);
    },
  };
}
