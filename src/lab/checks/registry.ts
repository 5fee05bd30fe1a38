/**
 * Browser checks by name: kernels that must also be verified on the browser's WebGPU adapter (not just Node's Dawn).
 * To add one: write src/lab/checks/NAME.ts exporting `run` (see types.ts) and add a line here; e2e/kernels.spec.ts
 * runs every entry. Imports are lazy so the list can be read anywhere (the Playwright spec imports it in Node).
 */
import type { CheckModule } from './types';

export const CHECKS: Record<string, () => Promise<CheckModule>> = {
  matmul: () => import('./matmul'),
};
