import { f32, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

/** out[0..n) = value. */
export function fill(rec: Recorder, out: GPUBuffer, n: number, value = 0): void {
  rec.dispatch({ shader: 'fill', params: [n, f32(value)], bindings: [out], workgroups: grid1d(n, 256), label: 'fill' });
}
