/** Timing helpers for benchmark suites: warm-up excluded, repetitions chosen from how slow one run is. */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export interface Timed {
  /** Milliseconds of each timed run (the warm-up is not among them). */
  runs: number[];
  median: number;
  warmup: number;
}

/**
 * A warm-up run (pipeline compiles, first-touch allocations; not timed into the result), then `reps(warmupMs)` timed
 * runs. `warmup` replaces the warm-up with a cheaper one (e.g. the same pipeline on a tiny shape), or 'skip' drops
 * it: only for single runs so long (minutes) that one-off compile time is noise, and the caller must say so.
 * `once` must resolve only when the work has completed (queue drained / data read back).
 */
export async function timeRuns(
  once: () => Promise<void>,
  reps: (warmupMs: number) => number,
  warmup: 'full' | 'skip' | (() => Promise<void>) = 'full',
): Promise<Timed> {
  let t0 = performance.now();
  if (warmup === 'full') await once();
  else if (warmup !== 'skip') await warmup();
  const warmupMs = performance.now() - t0;
  const runs: number[] = [];
  const n = reps(warmupMs);
  for (let i = 0; i < n; i++) {
    t0 = performance.now();
    await once();
    runs.push(performance.now() - t0);
  }
  return { runs, median: median(runs), warmup: warmupMs };
}

/** ≥ 5 runs normally (3 when quick); slow peers get fewer so the full bench stays within minutes. */
export function repsForPeer(warmupMs: number, quick: boolean): number {
  if (quick) return 1;
  if (warmupMs > 20_000) return 1;
  if (warmupMs > 3_000) return 3;
  return 5;
}

export const repsForOurs = (quick: boolean) => (quick ? 3 : 5);

export const gflops = (flops: number, ms: number) => flops / (ms * 1e6);
