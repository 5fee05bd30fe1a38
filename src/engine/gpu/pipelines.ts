/**
 * Compute pipelines cached by shader name + entry point + override constants. Overrides are for values fixed per
 * pipeline (tile sizes, workgroup sizes); per-call sizes go through the uniform params so shapes can change freely.
 */
import { getShader } from './shaders';

export type Constants = Record<string, number>;

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  constructor(private readonly device: GPUDevice) {}

  module(shader: string): GPUShaderModule {
    let m = this.modules.get(shader);
    if (!m) {
      m = this.device.createShaderModule({ label: shader, code: getShader(shader) });
      this.modules.set(shader, m);
    }
    return m;
  }

  get(shader: string, entryPoint = 'main', constants: Constants = {}): GPUComputePipeline {
    const key = `${shader}|${entryPoint}|${Object.entries(constants).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: this.module(shader), entryPoint, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
