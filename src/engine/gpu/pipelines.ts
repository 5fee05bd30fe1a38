/**
 * Compute pipelines cached by shader name + entry point + override constants. Overrides are for values fixed per
 * pipeline (tile sizes, workgroup sizes); per-call sizes go through the uniform params so shapes can change freely.
 *
 * `get` runs for every dispatch the recorder encodes (thousands per training step), so its key is built without
 * sorting or intermediate arrays in the common cases (no constants, one constant), and each pipeline's bind group
 * layout is fetched from the pipeline once (`layout`): getBindGroupLayout makes a new object per call.
 */
import { getShader } from './shaders';

export type Constants = Record<string, number>;

/** "k=v,k2=v2" in key order, so the same constants in any insertion order give one key. */
function constantsKey(constants: Constants): string {
  let n = 0, only = '';
  for (const k in constants) {
    if (n++ > 0) break;
    only = k;
  }
  if (n === 0) return '';
  if (n === 1) return `${only}=${constants[only]}`;
  return Object.keys(constants).sort().map((k) => `${k}=${constants[k]}`).join(',');
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  constructor(private readonly device: GPUDevice) {}

  module(shader: string): GPUShaderModule {
    let m = this.modules.get(shader);
    if (!m) {
      m = this.device.createShaderModule({ label: shader, code: getShader(shader) });
      this.modules.set(shader, m);
    }
    return m;
  }

  get(shader: string, entryPoint = 'main', constants?: Constants): GPUComputePipeline {
    const key = constants ? `${shader}|${entryPoint}|${constantsKey(constants)}` : `${shader}|${entryPoint}|`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: this.module(shader), entryPoint, constants: constants ?? {} },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Bind group 0's layout of a pipeline this cache made (fetched once per pipeline). */
  layout(pipeline: GPUComputePipeline): GPUBindGroupLayout {
    let l = this.layouts.get(pipeline);
    if (!l) {
      l = pipeline.getBindGroupLayout(0);
      this.layouts.set(pipeline, l);
    }
    return l;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
