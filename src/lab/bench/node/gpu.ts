/**
 * Entry of the real-GPU benchmark for the GPU machine (packed by ../shared/device/pack.sh; no tsx, no npm there):
 *
 *   node gpu.mjs [--quick] [--case TEXT]... [--layers N] [--steps 1x256,4x512] [--prompt N] [--new N] [--out FILE]
 *                [--manifest FILE]   (the case list bench/peers/torch_peer.py measures)
 *
 * `--case probe` runs only the tensor-core probe (adapter, features, subgroup-matrix configs; see bench/README.md).
 * Prints progress lines and, last, the records as one JSON array; writes them to --out (default $OUT/ours.json when
 * $OUT is set). Here: `npx tsx src/lab/bench/node/gpu.ts --quick`.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { acquireNodeGpu, createNodeGpuInstance } from '../../../node/gpu';
import { PROBE_DAWN_TOGGLES } from '../subgroupMatrix';
import { caseManifest, FULL_SIZE, QUICK_SIZE, runGpuBench, studioBaseDir, type GpuBenchSize } from '../gpuBench';

function parse(argv: string[]): { size: GpuBenchSize; cases: string[]; out: string | null; manifest: string | null } {
  let size: GpuBenchSize = { ...FULL_SIZE };
  const cases: string[] = [];
  let out = process.env.OUT ? `${process.env.OUT}/ours.json` : null;
  let manifest: string | null = null;
  const int = (v: string | undefined, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === '--quick') size = { ...QUICK_SIZE, ...Object.fromEntries(Object.entries(size).filter(([k]) => overridden.has(k))) };
    else if (a === '--case') cases.push(...v().split(','));
    else if (a === '--layers') { size.layers = int(v(), a); overridden.add('layers'); }
    else if (a === '--prompt') { size.prompt = int(v(), a); overridden.add('prompt'); }
    else if (a === '--new') { size.newTokens = int(v(), a); overridden.add('newTokens'); }
    else if (a === '--steps') {
      size.steps = v().split(',').map((s) => {
        const m = /^(\d+)x(\d+)$/.exec(s);
        if (!m) throw new Error(`--steps takes BxT[,BxT...], got ${s}`);
        return [Number(m[1]), Number(m[2])] as [number, number];
      });
      overridden.add('steps');
    } else if (a === '--out') out = v();
    else if (a === '--manifest') manifest = v();
    else throw new Error(`unknown flag ${a}; flags: --quick --case --layers --steps --prompt --new --out --manifest`);
  }
  return { size, cases, out, manifest };
}
const overridden = new Set<string>();

const { size, cases, out, manifest } = parse(process.argv.slice(2));
if (manifest) {
  // The PyTorch peer's case list (bench/peers/torch_peer.py --manifest), written before anything runs.
  writeFileSync(manifest, JSON.stringify(caseManifest(size, cases, studioBaseDir()), null, 1));
  console.log(`[gpu] peer manifest written to ${manifest}`);
}
const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
const t0 = performance.now();
const save = (records: unknown[]) => {
  if (!out) return;
  writeFileSync(`${out}.tmp`, JSON.stringify(records, null, 1));
  renameSync(`${out}.tmp`, out); // a reader never sees half a file
};
// The tensor-core probe's own instance: the same adapter, with the Dawn toggles the experimental feature needs.
const probeInstance = () => createNodeGpuInstance([...(gpu.adapter.isSoftware ? ['adapter=SwiftShader'] : []), PROBE_DAWN_TOGGLES]);
const records = await runGpuBench({ gpu, size, cases, log: (m) => console.log(`[gpu] ${m}`), onRecords: save, probeInstance });
save(records);
console.log(`[gpu] done in ${((performance.now() - t0) / 1000).toFixed(1)} s${out ? `; records in ${out}` : ''}`);
console.log(JSON.stringify(records, null, 1));
process.exit(0);
