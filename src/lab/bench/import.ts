/**
 * Suite "import" (Node driver, browser page): examples/s and peak JS heap of importing a 20,000-example Alpaca JSONL
 * file (~5 MB) into the studio's IndexedDB in headless Chromium through the Import dialog's path
 * (probe/importProbe.ts: parseDatasetStream in batches of 2000 → one importExamples transaction), side by side with
 * the naive path (file.text() → one JSON.parse of the whole file → one bulkAdd). The database is emptied before each
 * run; every run's row count is checked. 2 rounds alternating the order (1 with --quick); examples/s is the median,
 * heap the largest peak (node/probePage.ts HeapSampler).
 */
import { HeapSampler, launchProbeBrowser, MiB, openProbe, serveProbe } from './node/probePage';
import { median } from './timing';
import type { ImportRun } from './probe/importProbe';
import type { BenchContext, BenchRecord } from './types';

const N = 20_000;
const CASE = 'jsonl-20000';
const PEER = 'naive-JSON.parse-bulkAdd';

export async function run(ctx: BenchContext): Promise<BenchRecord[]> {
  if (ctx.cases.length && !ctx.cases.some((f) => CASE.includes(f))) throw new Error(`No import case matches ${ctx.cases.join(', ')}; case: ${CASE}`);
  const served = await serveProbe('src/lab/bench/probe/importProbe.ts');
  const browser = await launchProbeBrowser();
  const rate = { ours: [] as number[], peer: [] as number[] };
  const heap = { ours: 0, peer: 0 };
  let bytes: number;
  try {
    const { page } = browser;
    await openProbe(page, served, 'importProbe');
    const sampler = await HeapSampler.attach(page);
    bytes = await page.evaluate((n) => window.importProbe!.prepare(n), N);
    const rounds = ctx.quick ? 1 : 2;
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const)) {
        await page.evaluate(() => window.importProbe!.reset());
        const r = await sampler.during(() => page.evaluate((s) => (s === 'ours' ? window.importProbe!.ours() : window.importProbe!.naive()), side));
        const run: ImportRun = r.result;
        const stored = await page.evaluate((id) => window.importProbe!.count(id), run.datasetId);
        if (run.rows !== N || run.errors !== 0 || stored !== N) throw new Error(`${side}: ${run.rows} rows parsed, ${run.errors} errors, ${stored} stored; expected ${N}`);
        rate[side].push(N / (run.ms / 1000));
        heap[side] = Math.max(heap[side], r.peak.total / MiB);
        ctx.log(`${side === 'ours' ? 'ours (streaming parse + importExamples)' : PEER}: ${(N / (run.ms / 1000)).toFixed(0)} examples/s ` +
          `(${(run.ms / 1000).toFixed(2)} s), peak heap ${(r.peak.total / MiB).toFixed(1)} MiB (baseline ${(r.baseline.total / MiB).toFixed(1)})`);
      }
    }
    await page.evaluate(() => window.importProbe!.reset());
  } finally {
    await browser.close();
    await served.close();
  }
  const ours = median(rate.ours), peer = median(rate.peer);
  const what = `${N.toLocaleString('en-US')} Alpaca rows, ${(bytes / 1e6).toFixed(1)} MB JSONL → IndexedDB (persistent profile)`;
  return [
    {
      suite: 'import', case: CASE, ours, peer: PEER, peer_value: peer, ratio: ours / peer, unit: 'examples/s',
      note: `${what}; ours validates/normalises every row, the peer stores records as they come; median of ${rate.ours.length}`,
      ours_runs: rate.ours.length, peer_runs: rate.peer.length,
    },
    {
      suite: 'import', case: `${CASE} peak JS heap`, ours: heap.ours, peer: PEER, peer_value: heap.peer, ratio: null, unit: 'MiB',
      note: 'lower is better; V8 heap + ArrayBuffers, sampled every 50 ms',
    },
  ];
}
