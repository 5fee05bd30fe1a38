/**
 * `--case probe` of the real-GPU benchmark (issue #12, item 6): what the adapter offers for WebGPU "tensor cores"
 * (`chromium-experimental-subgroup-matrix`) and, where it offers them, whether a matmul built on them is accurate
 * enough for training and how fast it is beside our plain matmul.
 *
 * Prints the adapter (vendor, architecture, description), its features, subgroup sizes, shader-f16 and every
 * subgroup-matrix config. Without the feature: one line saying so, and stops. With it, for each f32-result config
 * with f32/f16 inputs (./subgroupMatrix.ts skipReason), for a few tile blocks per subgroup:
 *   check  96×160×72 (awkward: padded to the tile) and 512³ against a float64 CPU reference: max abs error,
 *          normwise relative error, and the ratio to the training tolerance (≤ 1 passes);
 *   time   TFLOP/s at 2048³ and 4096³, beside the engine's matmul on the same sizes, both timed the way the
 *          bench's matmul cases are (N dispatches in one submit, wall clock to onSubmittedWorkDone, median of 3).
 * Every step runs under error scopes and a timeout and is reported on its own: a compile error (with the
 * compiler's message), a validation error, a lost device (reopened for the next config) costs only that step.
 * The whole probe stays well under 30 s on a GPU (a deadline skips the remaining timings past 25 s).
 */
import type { Gpu } from '../../engine/gpu/device';
import { Recorder } from '../../engine/gpu/recorder';
import { readF32 } from '../../engine/gpu/buffers';
import { compile, runOnce, timeKernel, timeReps, withTimeout } from './tensorProbeGpu';
import { matmul } from '../../engine/kernels/matmul';
import { roundToF16 } from '../../engine/transformer/weights';
import { randomArray } from '../../testing/numeric';
import type { BenchRecord } from './types';
import {
  configName, errorStats, F32_TO_F16_WGSL, matmulF64, skipReason, subgroupMatrixMatmulWgsl, SUBGROUP_MATRIX_FEATURE,
  TRAINING_TOL, type SmKernelShape, type SubgroupMatrixConfig,
} from './subgroupMatrix';

export interface TensorProbeContext {
  /** A GPU instance created with PROBE_DAWN_TOGGLES (the feature hides without them); null: none could be made. */
  instance: GPU | null;
  /** The engine's device: our plain matmul is timed on it beside the subgroup-matrix kernels. */
  gpu: Gpu;
  quick: boolean;
  log(message: string): void;
}

const SIZES = {
  full: { checks: [[96, 160, 72], [512, 512, 512]], times: [2048, 4096], blocks: [[1, 1], [2, 2], [4, 2]], deadlineMs: 25_000 },
  quick: { checks: [[96, 160, 72]], times: [256], blocks: [[1, 1], [2, 2]], deadlineMs: 60_000 },
};
const STEP_TIMEOUT_MS = 20_000;
const none = { peer: 'none', peer_value: null, ratio: null } as const;
const rec = (c: string, ours: number, unit: string, extra: Record<string, unknown> = {}): BenchRecord => ({ suite: 'gpu', case: `probe/${c}`, ours, ...none, unit, ...extra });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();

type ProbeInfo = GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number; subgroupMatrixConfigs?: readonly SubgroupMatrixConfig[] };

export async function probeTensorCores(ctx: TensorProbeContext): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  let adapter: GPUAdapter | null = null;
  try {
    adapter = ctx.instance ? await ctx.instance.requestAdapter({ powerPreference: 'high-performance' }) : null;
  } catch (e) {
    ctx.log(`probe: requestAdapter failed: ${message(e)}`);
  }
  if (!adapter) {
    ctx.log('probe: no adapter from the probe instance; nothing to report');
    return [rec('adapter', 0, 'status', { status: 'error', note: 'no adapter from the probe instance' })];
  }
  const info = adapter.info as ProbeInfo;
  const features = [...adapter.features].map(String).sort();
  const exposed = adapter.features.has(SUBGROUP_MATRIX_FEATURE);
  const hasF16 = adapter.features.has('shader-f16');
  // The binding returns live config objects: copy their fields (they are getters, a spread would copy none).
  const configs: SubgroupMatrixConfig[] = [...(info.subgroupMatrixConfigs ?? [])].map((c) => ({
    componentType: String(c.componentType), resultComponentType: String(c.resultComponentType), M: c.M, N: c.N, K: c.K,
  }));
  const sgMax = info.subgroupMaxSize ?? 0;
  ctx.log(`probe: adapter vendor '${info.vendor}', architecture '${info.architecture}', description '${info.description}'`);
  ctx.log(`probe: features ${features.join(', ')}`);
  ctx.log(`probe: subgroup sizes ${info.subgroupMinSize ?? '?'}..${info.subgroupMaxSize ?? '?'}; shader-f16 ${hasF16 ? 'yes' : 'NO'}; ${SUBGROUP_MATRIX_FEATURE} ${exposed ? 'yes' : 'no'}`);
  for (const c of configs) ctx.log(`probe: subgroup-matrix config ${configName(c)} (componentType ${c.componentType}, resultComponentType ${c.resultComponentType}, M ${c.M}, N ${c.N}, K ${c.K})`);
  out.push(rec('adapter', configs.length, 'subgroup-matrix configs', {
    vendor: info.vendor, architecture: info.architecture, description: info.description, features,
    subgroup_min_size: info.subgroupMinSize ?? null, subgroup_max_size: info.subgroupMaxSize ?? null,
    shader_f16: hasF16, subgroup_matrix: exposed, configs,
  }));
  if (!exposed) {
    ctx.log(`probe: tensor cores: ${SUBGROUP_MATRIX_FEATURE} not exposed by this adapter (${info.description || info.vendor}); nothing to run`);
    return out;
  }
  const env = new ProbeEnv(ctx, hasF16, sgMax);
  for (const c of configs) {
    const why = skipReason(c, hasF16);
    if (why) {
      ctx.log(`probe: ${configName(c)} skipped: ${why}`);
      out.push(rec(`sm/${configName(c)}`, 0, 'status', { status: 'skipped', note: why }));
      continue;
    }
    out.push(...await env.runConfig(c));
  }
  out.push(...await env.plainBaseline());
  env.close();
  return out;
}

/**
 * One config's checks and timings on a device with `deviceFeatures` (default: the probe's). Tests call it on
 * SwiftShader, without the feature, to prove a failing config is reported and nothing throws.
 */
export async function runSubgroupMatrixConfig(ctx: TensorProbeContext, config: SubgroupMatrixConfig, subgroupSize: number, deviceFeatures?: string[]): Promise<BenchRecord[]> {
  const env = new ProbeEnv(ctx, deviceFeatures?.includes('shader-f16') ?? false, subgroupSize, deviceFeatures);
  try {
    return await env.runConfig(config);
  } finally {
    env.close();
  }
}

/** The probe's own device (with the feature) and what survives between configs: CPU references, plain timings. */
class ProbeEnv {
  private device: GPUDevice | null = null;
  private lostMessage: string | null = null;
  private readonly refs = new Map<string, { a: Float32Array; b: Float32Array; want: Float64Array; want16?: Float64Array }>();
  private readonly t0 = performance.now();
  private readonly plain = new Map<number, number | string>();
  private readonly squares = new Map<number, [Float32Array, Float32Array]>();
  private readonly size;

  constructor(
    private readonly ctx: TensorProbeContext, hasF16: boolean, private readonly subgroupSize: number,
    private readonly deviceFeatures: string[] = ['subgroups', SUBGROUP_MATRIX_FEATURE, ...(hasF16 ? ['shader-f16'] : [])],
  ) {
    this.size = ctx.quick ? SIZES.quick : SIZES.full;
  }

  /** A fresh adapter + device (an adapter yields one device; after a loss we need both anew). */
  private async open(): Promise<GPUDevice> {
    if (this.device && !this.lostMessage) return this.device;
    if (this.lostMessage) this.ctx.log(`probe: device was lost (${this.lostMessage}); opening a new one`);
    const adapter = await this.ctx.instance!.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('requestAdapter returned null');
    const device = await adapter.requestDevice({
      label: 'tensor-probe',
      requiredFeatures: this.deviceFeatures as GPUFeatureName[],
      requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
    });
    this.lostMessage = null;
    void device.lost.then((i) => { if (this.device === device && i.reason !== 'destroyed') this.lostMessage = i.message || 'unknown reason'; });
    this.device = device;
    return device;
  }

  close(): void {
    this.device?.destroy();
    this.device = null;
  }

  /** fn under validation / out-of-memory / internal error scopes and a timeout; any of them throws with its message. */
  private async guarded<T>(what: string, fn: (device: GPUDevice) => Promise<T>): Promise<T> {
    const device = await this.open().catch((e: unknown) => { throw new Error(`could not open the probe device: ${message(e)}`); });
    const scopes = ['validation', 'out-of-memory', 'internal'] as const;
    for (const s of [...scopes].reverse()) device.pushErrorScope(s);
    let result: T | undefined, thrown: unknown = null;
    try {
      result = await withTimeout(fn(device), STEP_TIMEOUT_MS, what);
    } catch (e) {
      thrown = e;
    }
    const errors: string[] = [];
    for (const s of scopes) {
      const e = await withTimeout(device.popErrorScope(), 5_000, 'popErrorScope').catch(() => null);
      if (e) errors.push(`${s} error: ${message(e.message)}`);
    }
    if (this.lostMessage) errors.push(`device lost: ${this.lostMessage}`);
    if (thrown || errors.length) throw new Error([...(thrown ? [message(thrown)] : []), ...errors].join('; '));
    return result as T;
  }

  /** Random (S, S) operands for the timings, made once per size (a 4096² pair is 128 MiB of host work). */
  private square(S: number): [Float32Array, Float32Array] {
    let ab = this.squares.get(S);
    if (!ab) this.squares.set(S, (ab = [randomArray(S * S, 3), randomArray(S * S, 4)]));
    return ab;
  }

  /** The CPU side of one check shape: inputs uniform(-1, 1), float64 products (and of the f16-rounded inputs). */
  private reference(M: number, K: number, N: number, f16: boolean) {
    const key = `${M}x${K}x${N}`;
    let r = this.refs.get(key);
    if (!r) {
      const a = randomArray(M * K, 11), b = randomArray(K * N, 12);
      r = { a, b, want: matmulF64(a, b, M, K, N) };
      this.refs.set(key, r);
    }
    if (f16 && !r.want16) r.want16 = matmulF64(roundToF16(r.a), roundToF16(r.b), M, K, N);
    return r;
  }

  async runConfig(c: SubgroupMatrixConfig): Promise<BenchRecord[]> {
    const out: BenchRecord[] = [];
    const f16 = c.componentType === 'f16';
    const verdict: string[] = [];
    let allWithin = true, checked = 0;
    for (const [tilesM, tilesN] of this.size.blocks) {
      const shape: SmKernelShape = { config: c, subgroupSize: this.subgroupSize, tilesM, tilesN };
      const name = `sm/${configName(c)}/${tilesM}x${tilesN}`;
      let pipelines: { mm: GPUComputePipeline; cvt: GPUComputePipeline | null };
      try {
        pipelines = await this.guarded(`${name} compile`, async (d) => ({
          mm: await compile(d, subgroupMatrixMatmulWgsl(shape), name),
          cvt: f16 ? await compile(d, F32_TO_F16_WGSL, 'f32->f16') : null,
        }));
      } catch (e) {
        this.ctx.log(`probe: ${name}: pipeline failed: ${message(e)}`);
        out.push(rec(name, 0, 'status', { status: 'error', note: `pipeline: ${message(e)}` }));
        allWithin = false;
        continue;
      }
      for (const [M, K, N] of this.size.checks) {
        const what = `${name}/check/${M}x${K}x${N}`;
        try {
          const r = this.reference(M, K, N, f16);
          const { got, Np } = await this.guarded(what, (d) => runOnce(d, pipelines, shape, r.a, r.b, M, K, N));
          const s = errorStats(got, Np, r.want, M, N);
          const s16 = r.want16 ? errorStats(got, Np, r.want16, M, N) : null;
          const within = s.tolRatio <= 1;
          allWithin &&= within;
          checked++;
          this.ctx.log(`probe: ${what}: max abs ${s.maxAbs.toExponential(2)}, max rel ${s.maxRel.toExponential(2)}, ` +
            `${(s.tolRatio).toFixed(2)}x the training tolerance (${within ? 'within' : 'OUTSIDE'})` +
            (s16 ? `; vs the f16-rounded inputs: max abs ${s16.maxAbs.toExponential(2)} (the accumulation's own error)` : ''));
          out.push(rec(what, s.maxAbs, 'max abs error', {
            max_rel: s.maxRel, tol_ratio: s.tolRatio, within_training_tol: within, tolerance: TRAINING_TOL,
            ...(s16 ? { max_abs_vs_f16_inputs: s16.maxAbs } : {}),
          }));
        } catch (e) {
          allWithin = false;
          this.ctx.log(`probe: ${what}: failed: ${message(e)}`);
          out.push(rec(what, 0, 'status', { status: 'error', note: message(e) }));
        }
      }
      for (const S of this.size.times) {
        const what = `${name}/${S}^3`;
        if (performance.now() - this.t0 > this.size.deadlineMs) {
          this.ctx.log(`probe: ${what}: skipped (the probe's ${this.size.deadlineMs / 1000} s budget is spent)`);
          continue;
        }
        try {
          const ms = await this.guarded(what, (d) => timeKernel(d, pipelines, shape, S, ...this.square(S)));
          const tflops = (2 * S ** 3) / (ms / 1000) / 1e12;
          const plain = await this.plainTflops(S);
          const ratio = typeof plain === 'number' ? tflops / plain : null;
          verdict.push(`${tilesM}x${tilesN} @${S}: ${tflops.toFixed(2)}`);
          this.ctx.log(`probe: ${what}: ${tflops.toFixed(3)} TFLOP/s (${ms.toFixed(3)} ms); plain matmul ` +
            (typeof plain === 'number' ? `${plain.toFixed(3)} TFLOP/s, ratio ${ratio!.toFixed(2)}` : `failed: ${plain}`));
          out.push({ ...rec(what, tflops, 'TFLOP/s', { ms, note: f16 ? 'f16 conversion pass not timed' : undefined }), peer: 'plain matmul', peer_value: typeof plain === 'number' ? plain : null, ratio });
        } catch (e) {
          this.ctx.log(`probe: ${what}: failed: ${message(e)}`);
          out.push(rec(what, 0, 'status', { status: 'error', note: message(e) }));
        }
      }
    }
    const accuracy = checked === 0 ? 'no check completed' : `${allWithin ? 'every check within' : 'NOT within'} the training tolerance ` +
      `(rtol ${TRAINING_TOL.rtol}, atol ${TRAINING_TOL.atol})`;
    this.ctx.log(`probe: ${configName(c)} verdict: ${accuracy}${verdict.length ? `; TFLOP/s ${verdict.join(', ')}` : ''}`);
    return out;
  }

  /** The engine's matmul (f32, plain layout) on the engine device, timed like timeKernel; cached per size. */
  private async plainTflops(S: number): Promise<number | string> {
    const cached = this.plain.get(S);
    if (cached !== undefined) return cached;
    const { gpu } = this.ctx;
    const pool = 'bench#tensor-probe';
    let result: number | string;
    try {
      const [ha, hb] = this.square(S);
      const [a, b, c] = [gpu.buffers.fromData(pool, 'a', ha), gpu.buffers.fromData(pool, 'b', hb), gpu.buffers.storage(pool, 'c', S * S * 4)];
      const recorder = new Recorder(gpu);
      try {
        const ms = await timeReps(gpu.device, (reps) => { for (let i = 0; i < reps; i++) matmul(recorder, c, a, b, null, S, S, S); }, () => recorder.submit());
        result = (2 * S ** 3) / (ms / 1000) / 1e12;
      } finally {
        recorder.destroy();
      }
    } catch (e) {
      result = message(e);
    } finally {
      gpu.buffers.releasePool(pool);
    }
    this.plain.set(S, result);
    return result;
  }

  /** The plain matmul's own error on the check shapes (the yardstick the subgroup-matrix errors stand beside). */
  async plainBaseline(): Promise<BenchRecord[]> {
    const { gpu } = this.ctx;
    const out: BenchRecord[] = [];
    const pool = 'bench#tensor-probe-check';
    for (const [M, K, N] of this.size.checks) {
      const what = `plain-matmul/check/${M}x${K}x${N}`;
      try {
        const r = this.reference(M, K, N, false);
        const [a, b, c] = [gpu.buffers.fromData(pool, 'a', r.a), gpu.buffers.fromData(pool, 'b', r.b), gpu.buffers.storage(pool, 'c', M * N * 4)];
        const recorder = new Recorder(gpu);
        matmul(recorder, c, a, b, null, M, K, N);
        recorder.submit();
        recorder.destroy();
        const s = errorStats(await readF32(gpu.device, c), N, r.want, M, N);
        this.ctx.log(`probe: ${what}: max abs ${s.maxAbs.toExponential(2)}, max rel ${s.maxRel.toExponential(2)}, ${s.tolRatio.toFixed(2)}x the training tolerance`);
        out.push(rec(what, s.maxAbs, 'max abs error', { max_rel: s.maxRel, tol_ratio: s.tolRatio, within_training_tol: s.tolRatio <= 1 }));
      } catch (e) {
        this.ctx.log(`probe: ${what}: failed: ${message(e)}`);
      } finally {
        gpu.buffers.releasePool(pool);
      }
    }
    return out;
  }
}
