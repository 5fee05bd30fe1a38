/**
 * Entry of lab.html: a page with no UI that exposes engine code to automation as `window.lab` (see api.ts).
 * Registers the shaders through Vite like the app does, and acquires the GPU lazily so a page load never fails.
 */
import { registerBrowserShaders } from '../engine/gpu/browserShaders';
import { acquireGpu, type Gpu } from '../engine/gpu/device';
import { CHECKS } from './checks/registry';
import { SUITES } from './bench/registry';
import type { LabApi } from './api';

registerBrowserShaders();

let gpuPromise: Promise<Gpu> | null = null;
function gpu(): Promise<Gpu> {
  gpuPromise ??= acquireGpu().catch((e: unknown) => {
    gpuPromise = null; // let a later call retry
    throw e;
  });
  return gpuPromise;
}

const lab: LabApi = {
  adapter: async () => (await gpu()).adapter,
  checks: () => Object.keys(CHECKS),
  async check(name, options = {}) {
    const load = CHECKS[name];
    if (!load) throw new Error(`Unknown lab check "${name}". Registered: ${Object.keys(CHECKS).join(', ')}`);
    const g = await gpu();
    const result = await (await load()).run(g, options);
    return { name, adapter: `${g.adapter.vendor} ${g.adapter.architecture} ${g.adapter.description}`.trim(), ...result };
  },
  benchSuites: () => SUITES.filter((s) => s.runtime === 'browser').map((s) => s.name),
  async bench(name, options = {}) {
    const entry = SUITES.find((s) => s.name === name);
    if (!entry || entry.runtime !== 'browser') {
      throw new Error(`No browser benchmark suite "${name}". Browser suites: ${lab.benchSuites().join(', ')}`);
    }
    const suite = await entry.load();
    return suite.run({ gpu: await gpu(), quick: !!options.quick, cases: options.cases ?? [], log: (m) => console.log(`[bench] ${m}`) });
  },
};

window.lab = lab;
const status = document.getElementById('status');
if (status) status.textContent = `lab ready: checks ${lab.checks().join(', ')}; bench suites ${lab.benchSuites().join(', ')}`;
