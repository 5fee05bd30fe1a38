/**
 * TensorFlow.js peers for the benchmarks: @tensorflow/tfjs-backend-webgpu and @tensorflow/tfjs-backend-wasm (SIMD,
 * and multi-threaded when the page is cross-origin isolated; lab.html is served with COOP/COEP for that).
 * Loaded on demand so the lab's checks never pull tfjs.
 */
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

type Tf = typeof import('@tensorflow/tfjs-core');

export type PeerName = 'tfjs-webgpu' | 'tfjs-wasm';

let tfPromise: Promise<Tf> | null = null;

async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu'
    const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers 'wasm'
    // Vite serves the .wasm files under hashed names: map each expected name to its URL.
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    return tf;
  })();
  return tfPromise;
}

/** Switches tfjs to the peer's backend; returns tfjs and a one-line description of what actually runs. */
export async function switchToPeer(peer: PeerName): Promise<{ tf: Tf; description: string }> {
  const tf = await loadTf();
  const backend = peer === 'tfjs-webgpu' ? 'webgpu' : 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise its ${backend} backend`);
  await tf.ready();
  if (backend === 'webgpu') return { tf, description: 'tfjs-backend-webgpu' };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threadsOk = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const wasmModule = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
  const threads = wasmModule?.tfjs?.getThreadsCount?.() ?? 1;
  const why = threadsOk ? '' : ` (no threads: page is ${globalThis.crossOriginIsolated ? '' : 'not '}cross-origin isolated)`;
  return { tf, description: `tfjs-backend-wasm ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread(s)${why}` };
}

/** A (M,K) · B(N,K)ᵀ on the current tfjs backend, completed by reading the result back (await data()). */
export function tfMatmulRunner(tf: Tf, M: number, K: number, N: number): { once: () => Promise<void>; dispose: () => void } {
  const a = tf.randomUniform([M, K], -1, 1, 'float32', 1);
  const b = tf.randomUniform([N, K], -1, 1, 'float32', 2);
  return {
    once: async () => {
      const c = tf.matMul(a, b, false, true);
      await c.data();
      c.dispose();
    },
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}
