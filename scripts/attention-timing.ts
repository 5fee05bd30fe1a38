/**
 * Wall-clock timing of the attention kernels on this machine's adapter, every variant on the same inputs:
 *   npx tsx scripts/attention-timing.ts [--reps 3] [--case NAME]
 * (on the CPU adapter: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json). Each case times the forward
 * alone and forward + backward, one command buffer each, awaited to completion: a warm-up (pipeline compiles), then
 * the median of --reps runs (one run when the warm-up took over 5 s). Used to choose the default per adapter class (src/engine/kernels/attention.ts).
 */
import { acquireNodeGpu } from '../src/node/gpu';
import { Recorder } from '../src/engine/gpu/recorder';
import { attentionForward, attentionBackward, type AttentionOptions } from '../src/engine/kernels/attention';

interface Case { name: string; B: number; T: number; H: number; KV: number; hd: number; window?: number }
const CASES: Case[] = [
  { name: 'smollm2-B1-T256', B: 1, T: 256, H: 9, KV: 3, hd: 64 },
  { name: 'smollm2-B4-T512', B: 4, T: 512, H: 9, KV: 3, hd: 64 },
  { name: 'window32-T256', B: 1, T: 256, H: 4, KV: 2, hd: 64, window: 32 },
  { name: 'hd128-T128', B: 1, T: 128, H: 4, KV: 1, hd: 128 },
];
const VARIANTS: [string, AttentionOptions][] = [
  ['rows', { kernel: 'rows' }],
  ['fused/subgroup', { kernel: 'fused', lanes: 'subgroup' }],
  ['fused/shared', { kernel: 'fused', lanes: 'shared' }],
];

const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const reps = Number(arg('--reps') ?? 3);
const only = arg('--case');

const gpu = await acquireNodeGpu();
console.log(`adapter: ${gpu.adapter.description || gpu.adapter.device} (software: ${gpu.adapter.isSoftware}, subgroups: ${gpu.hasSubgroups})`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const c of CASES) {
  if (only && !c.name.includes(only)) continue;
  const { B, T, H, KV, hd } = c;
  const rnd = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + n) * 0.5);
  const buf = (name: string, data: Float32Array | Uint32Array) => gpu.buffers.fromData('scratch', name, data);
  const q = buf('q', rnd(B * T * H * hd)), k = buf('k', rnd(B * T * KV * hd)), v = buf('v', rnd(B * T * KV * hd));
  const dout = buf('dout', rnd(B * T * H * hd)), seg = buf('seg', new Uint32Array(B * T));
  const out = gpu.buffers.storage('scratch', 'out', B * T * H * hd * 4), lse = gpu.buffers.storage('scratch', 'lse', B * H * T * 4);
  const dq = gpu.buffers.storage('scratch', 'dq', B * T * H * hd * 4);
  const dk = gpu.buffers.storage('scratch', 'dk', B * T * KV * hd * 4), dv = gpu.buffers.storage('scratch', 'dv', B * T * KV * hd * 4);
  const scale = 1 / Math.sqrt(hd);
  for (const [vname, kopts] of VARIANTS) {
    const opts = { window: c.window, ...kopts };
    const time = async (backward: boolean) => {
      const once = async () => {
        const rec = new Recorder(gpu);
        attentionForward(rec, out, lse, q, k, v, seg, B, T, T, T, H, KV, hd, scale, opts);
        if (backward) attentionBackward(rec, dq, dk, dv, dout, q, k, v, seg, out, lse, B, T, H, KV, hd, scale, opts);
        rec.submit();
        await gpu.device.queue.onSubmittedWorkDone();
        rec.destroy();
      };
      const w0 = performance.now();
      await once();
      const n = performance.now() - w0 > 5000 ? 1 : reps; // minutes-long variants on the CPU adapter: one timed run
      const runs: number[] = [];
      for (let i = 0; i < n; i++) { const t0 = performance.now(); await once(); runs.push(performance.now() - t0); }
      return median(runs);
    };
    const f = await time(false), fb = await time(true);
    console.log(`${c.name.padEnd(18)} ${vname.padEnd(15)} forward ${f.toFixed(1).padStart(9)} ms   forward+backward ${fb.toFixed(1).padStart(9)} ms`);
  }
  for (const b of [q, k, v, dout, seg, out, lse, dq, dk, dv]) gpu.buffers.release(b);
}
await gpu.device.queue.onSubmittedWorkDone();
process.exit(0);
