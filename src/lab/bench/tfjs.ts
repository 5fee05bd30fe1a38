/**
 * TensorFlow.js peers for the benchmarks: @tensorflow/tfjs-backend-webgpu and @tensorflow/tfjs-backend-wasm (SIMD,
 * and multi-threaded when the page is cross-origin isolated; lab.html is served with COOP/COEP for that).
 *
 * tfjs is loaded from its own prebuilt browser bundles (UMD, global `tf`) as plain <script>s, not bundled by Vite:
 * the threaded wasm backend starts its workers from `factory.toString()`, and once our bundler has wrapped and
 * minified that factory it references names that do not exist inside the worker ("e is not defined"), so threads
 * never start. The published bundles keep the factory self-contained. Loaded on demand: checks never pull tfjs.
 */
import tfCoreUrl from '@tensorflow/tfjs-core/dist/tf-core.es2017.min.js?url';
import tfWebgpuUrl from '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.es2017.min.js?url';
import tfWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js?url';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfWithWasm = Tf & {
  wasm: { setWasmPaths(paths: Record<string, string>): void; setThreadsCount(n: number): void; getThreadsCount(): number };
};

export type PeerName = 'tfjs-webgpu' | 'tfjs-wasm';

let tfPromise: Promise<TfWithWasm> | null = null;

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(s);
  });
}

async function loadTf(): Promise<TfWithWasm> {
  tfPromise ??= (async () => {
    // Order matters: the backends attach themselves to the global tf that tf-core defines.
    for (const url of [tfCoreUrl, tfWebgpuUrl, tfWasmUrl]) await loadScript(url);
    const tf = (globalThis as unknown as { tf: TfWithWasm }).tf;
    // Vite serves the .wasm files under hashed names: map each expected name to its URL.
    tf.wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    // tfjs defaults to half the cores (1 on a 2-core machine); give it all of them, as our GPU adapter gets.
    tf.wasm.setThreadsCount(navigator.hardwareConcurrency || 1);
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
  const why = threadsOk ? '' : ` (no threads: page is ${globalThis.crossOriginIsolated ? '' : 'not '}cross-origin isolated)`;
  return { tf, description: `tfjs-backend-wasm ${simd ? 'SIMD' : 'no SIMD'}, ${tf.wasm.getThreadsCount()} thread(s)${why}` };
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
