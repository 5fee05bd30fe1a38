/** Shapes shared by every benchmark suite, wherever it runs (browser page or Node). */
import type { Gpu } from '../../engine/gpu/device';

/**
 * One comparison: our value and one peer's on one case. `ratio` = ours / peer_value (both "higher is better" in the
 * suite's unit); null when the peer could not run or was skipped, with the reason in `note`. Suites may add fields.
 */
export interface BenchRecord {
  suite: string;
  case: string;
  ours: number;
  peer: string;
  peer_value: number | null;
  ratio: number | null;
  unit: string;
  note?: string;
  [extra: string]: unknown;
}

export interface BenchOptions {
  /** Fewer repetitions and skipping very slow peer runs: for a quick look, not for the record. */
  quick?: boolean;
  /** Keep only cases whose name contains one of these (empty: all). */
  cases?: string[];
}

export interface BenchContext {
  quick: boolean;
  cases: string[];
  /** Progress lines; the bench driver prints them as they come. */
  log(message: string): void;
}

/** A suite that runs in the lab page: it gets the page's GPU. */
export interface BrowserSuite {
  run(ctx: BenchContext & { gpu: Gpu }): Promise<BenchRecord[]>;
}

/** A suite that runs in Node (scripts/bench.mjs imports its file with tsx and calls run). */
export interface NodeSuite {
  run(ctx: BenchContext): Promise<BenchRecord[]>;
}
