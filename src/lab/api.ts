/** The lab page's `window.lab`: what Playwright specs and scripts/bench.mjs call with page.evaluate. */
import type { AdapterSummary } from '../engine/gpu/device';
import type { CheckOptions, CheckResult } from './checks/types';
import type { BenchOptions, BenchRecord } from './bench/types';

export interface LabApi {
  /** The page's WebGPU adapter (acquired on first use). */
  adapter(): Promise<AdapterSummary>;
  /** Names of the registered browser checks (src/lab/checks/registry.ts). */
  checks(): string[];
  /** Runs one check: kernel on this page's GPU vs the CPU reference. Throws for an unknown name. */
  check(name: string, options?: CheckOptions): Promise<CheckResult>;
  /** Names of the benchmark suites that run in the browser (src/lab/bench/registry.ts). */
  benchSuites(): string[];
  /** Runs one browser benchmark suite; progress goes to console.log prefixed "[bench]". */
  bench(name: string, options?: BenchOptions): Promise<BenchRecord[]>;
}

declare global {
  interface Window {
    lab?: LabApi;
  }
}
