/** What a browser check reports back to Playwright (plain JSON: it crosses page.evaluate). */
import type { Gpu } from '../../engine/gpu/device';

export interface CheckCase {
  label: string;
  ok: boolean;
  /** Worst element: its index, values and how far past the tolerance it is (≤ 0 when ok). */
  worst: { index: number; actual: number; expected: number; excess: number };
}

export interface CheckResult {
  name: string;
  adapter: string;
  tolerance: { rtol: number; atol: number };
  cases: CheckCase[];
  ok: boolean;
}

export interface CheckOptions {
  /** Seed for the random shapes and data; the result labels carry it so a failure can be replayed. */
  seed?: number;
}

/** A check module exports `run`: it runs a kernel on the page's GPU and compares with the CPU reference. */
export interface CheckModule {
  run(gpu: Gpu, options: CheckOptions): Promise<Omit<CheckResult, 'name' | 'adapter'>>;
}
