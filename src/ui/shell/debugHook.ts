import { simulateGpuLoss } from '../../store/slices/gpu';
import { armCrash } from './crashProbe';

/** Hooks the e2e tests drive; harmless in normal use (nothing calls them). */
export interface StudioDebugHook {
  /** Destroy the GPUDevice as a driver reset would; the studio must show the device-lost banner. False if no device. */
  loseDevice(): boolean;
  /** Make the open section throw on its next render; its error boundary must catch it. */
  crashSection(): void;
}

declare global {
  interface Window {
    __studio?: StudioDebugHook;
  }
}

export function installDebugHook(): void {
  window.__studio = { loseDevice: simulateGpuLoss, crashSection: armCrash };
}
