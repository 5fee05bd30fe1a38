import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';
import { requireElementwise } from './validate';

const WG = 256;

function check(name: string, N: number, bufs: [GPUBuffer, string][], alpha = 0): void {
  requireElementwise(name, N, bufs);
  if (!Number.isFinite(alpha)) throw new RangeError(`${name}: alpha must be finite, got ${alpha}`);
  for (let i = 1; i < bufs.length; i++)
    if (bufs[i][0] === bufs[0][0])
      throw new Error(`${name}: ${bufs[0][1]} and ${bufs[i][1]} are the same buffer; a buffer cannot be read and written in one dispatch`);
}

function run(rec: Recorder, entryPoint: string, N: number, alpha: number, bindings: GPUBuffer[]): void {
  rec.dispatch({ shader: 'residual', entryPoint, constants: { WG }, params: [N, f32(alpha)], bindings, workgroups: grid1d(N, WG), label: entryPoint });
}

/** out = a + b over N values (the residual connection). out must be a third buffer; for a += b use `accumulate`. */
export function addForward(rec: Recorder, out: GPUBuffer, a: GPUBuffer, b: GPUBuffer, N: number): void {
  check('addForward', N, [[out, 'out'], [a, 'a'], [b, 'b']]);
  run(rec, 'add', N, 1, [out, a, b]);
}

/** dst += alpha · src over N values. */
export function accumulate(rec: Recorder, dst: GPUBuffer, src: GPUBuffer, N: number, alpha = 1): void {
  check('accumulate', N, [[dst, 'dst'], [src, 'src']], alpha);
  run(rec, 'accumulate', N, alpha, [dst, src]);
}

/** x *= alpha over N values, in place. */
export function scaleInplace(rec: Recorder, x: GPUBuffer, N: number, alpha: number): void {
  check('scaleInplace', N, [[x, 'x']], alpha);
  run(rec, 'scale', N, alpha, [x]);
}

/** dst = src over N values, as a dispatch inside the recorder's command buffer (not copyBufferToBuffer). */
export function copy(rec: Recorder, dst: GPUBuffer, src: GPUBuffer, N: number): void {
  check('copy', N, [[dst, 'dst'], [src, 'src']]);
  run(rec, 'copy', N, 1, [dst, src]);
}
