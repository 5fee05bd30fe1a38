/**
 * Every benchmark suite `npm run bench` knows. Adding one = one file under src/lab/bench/ + one line here.
 *  - runtime 'browser': `load` imports a module exporting `run` (BrowserSuite); it runs in lab.html in Chromium.
 *  - runtime 'node': `file` is a repo-relative .ts module exporting `run` (NodeSuite); the driver imports it with tsx.
 *    (A path, not an import, so the page bundle never pulls Node-only code.)
 */
import type { BrowserSuite } from './types';

export type SuiteEntry =
  | { name: string; runtime: 'browser'; description: string; load: () => Promise<BrowserSuite> }
  | { name: string; runtime: 'node'; description: string; file: string };

export const SUITES: SuiteEntry[] = [
  {
    name: 'matmul',
    runtime: 'browser',
    description: 'matmul GFLOP/s, ours vs tfjs (webgpu, wasm) on the page adapter',
    load: () => import('./matmul'),
  },
  { name: 'train_step', runtime: 'browser', description: 'LoRA step tokens/s, peak GPU memory, kernel shares; vs tfjs autograd', load: () => import('./trainStep') },
  { name: 'loading', runtime: 'node', description: '270 MB BF16 model: HTTP → GPU MB/s and peak JS heap in Chromium; vs fetch().arrayBuffer()', file: 'src/lab/bench/loading.ts' },
  { name: 'real_sizes', runtime: 'node', description: 'Qwen2.5-0.5B, Qwen3-0.6B, Gemma-3-1B shapes: memory plan, f16 load and one LoRA step on this adapter', file: 'src/lab/bench/realSizes.ts' },
  { name: 'gpu', runtime: 'node', description: 'real-GPU set (issue #12): LoRA step tokens/s, peak memory, kernel shares; decode tokens/s + TTFT; matmul TFLOP/s (peer: bench/peers/torch_peer.py)', file: 'src/lab/bench/gpu.ts' },
  { name: 'host_cost', runtime: 'node', description: 'host (CPU) ms per LoRA step and per decoded token, dispatches and bind groups; bind-group cache off vs on', file: 'src/lab/bench/hostCost.ts' },
  { name: 'import', runtime: 'node', description: '20,000-example JSONL into IndexedDB: examples/s and peak JS heap; vs JSON.parse + bulkAdd', file: 'src/lab/bench/import.ts' },
];
