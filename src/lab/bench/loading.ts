/**
 * Suite "loading" (Node driver, browser page): MB/s and peak JS heap of streaming a 270 MB BF16 SmolLM2-135M-shaped
 * checkpoint (node/bigCheckpoint.ts, generated once into node_modules/.cache/studio-bench/hub) from a local
 * hub-layout server (src/node/hubServer.ts: real HTTP, Range) into WebGPU buffers in headless Chromium with the
 * studio's loader (probe/loadingProbe.ts → loadModelWeights), side by side with the naive
 * `await (await fetch(url)).arrayBuffer()` of the same file. Heap: node/probePage.ts HeapSampler (DevTools
 * protocol, every 50 ms; V8 heap + ArrayBuffer backing stores). Target: peak < 64 MiB.
 * Runs alternate ours/peer, 2 rounds (1 with --quick); MB/s is the median, heap the largest peak.
 */
import { resolve } from 'node:path';
import { startHubServer } from '../../node/hubServer';
import { ensureBigCheckpoint } from './node/bigCheckpoint';
import { HeapSampler, launchProbeBrowser, MiB, openProbe, serveProbe } from './node/probePage';
import { median } from './timing';
import type { LoadRun } from './probe/loadingProbe';
import type { BenchContext, BenchRecord } from './types';

export const HUB_CACHE = resolve(import.meta.dirname, '../../../node_modules/.cache/studio-bench/hub');
const HEAP_TARGET_MIB = 64;
const PEER = 'naive-fetch-arrayBuffer';

interface Side {
  mbps: number[];
  heapPeak: number;
  heapUsedPeak: number;
  baseline: number;
}

export async function run(ctx: BenchContext): Promise<BenchRecord[]> {
  const ck = ensureBigCheckpoint(HUB_CACHE, ctx.log);
  const name = `smollm2-135m-bf16-${Math.round(ck.bytes / 1e6)}MB`;
  if (ctx.cases.length && !ctx.cases.some((f) => name.includes(f))) throw new Error(`No loading case matches ${ctx.cases.join(', ')}; case: ${name}`);
  const hub = await startHubServer({ root: ck.root });
  const served = await serveProbe('src/lab/bench/probe/loadingProbe.ts');
  const browser = await launchProbeBrowser();
  const sides: Record<'ours' | 'peer', Side> = {
    ours: { mbps: [], heapPeak: 0, heapUsedPeak: 0, baseline: 0 },
    peer: { mbps: [], heapPeak: 0, heapUsedPeak: 0, baseline: 0 },
  };
  try {
    const { page } = browser;
    await openProbe(page, served, 'loadingProbe');
    const heap = await HeapSampler.attach(page);
    const rounds = ctx.quick ? 1 : 2;
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const)) {
        const r = await heap.during(() =>
          page.evaluate(([kind, url, repo]) => (kind === 'ours' ? window.loadingProbe!.streamed(url, repo) : window.loadingProbe!.naive(url, repo)), [side, hub.url, ck.repo] as const),
        );
        await page.evaluate(() => window.loadingProbe!.release());
        const run: LoadRun = r.result;
        if (side === 'ours' && run.tensors === 0) throw new Error('the loader produced no tensors');
        const mbps = ck.bytes / 1e6 / (run.ms / 1000);
        const s = sides[side];
        s.mbps.push(mbps);
        s.heapPeak = Math.max(s.heapPeak, r.peak.total / MiB);
        s.heapUsedPeak = Math.max(s.heapUsedPeak, r.peakUsed / MiB);
        s.baseline = r.baseline.total / MiB;
        ctx.log(`${side === 'ours' ? 'ours (streaming loader → GPU)' : PEER}: ${mbps.toFixed(0)} MB/s (${(run.ms / 1000).toFixed(1)} s), ` +
          `peak heap ${(r.peak.total / MiB).toFixed(1)} MiB (V8 ${(r.peak.used / MiB).toFixed(1)}, ArrayBuffers ${(r.peak.backing / MiB).toFixed(1)}; ` +
          `baseline ${(r.baseline.total / MiB).toFixed(1)}; ${r.samples} samples)`);
      }
    }
  } finally {
    await browser.close();
    await served.close();
    await hub.close();
  }
  const ours = sides.ours, peer = sides.peer;
  const met = ours.heapPeak < HEAP_TARGET_MIB;
  const what = `${(ck.bytes / 1e6).toFixed(0)} MB BF16 → f32 GPU buffers over local HTTP (hub layout, Range)`;
  return [
    {
      suite: 'loading', case: name, ours: median(ours.mbps), peer: PEER, peer_value: median(peer.mbps), ratio: median(ours.mbps) / median(peer.mbps),
      unit: 'MB/s', note: `${what}; ours includes BF16→f32 and the GPU upload, the peer only downloads; median of ${ours.mbps.length}`,
      ours_runs: ours.mbps.length, peer_runs: peer.mbps.length,
    },
    {
      suite: 'loading', case: `${name} peak JS heap`, ours: ours.heapPeak, peer: PEER, peer_value: peer.heapPeak, ratio: null, unit: 'MiB',
      note: `lower is better; target < ${HEAP_TARGET_MIB} MiB ${met ? 'met' : 'NOT MET'}; V8 heap + ArrayBuffers, sampled every 50 ms`,
      ours_v8_MiB: ours.heapUsedPeak, peer_v8_MiB: peer.heapUsedPeak, baseline_MiB: ours.baseline,
    },
  ];
}
