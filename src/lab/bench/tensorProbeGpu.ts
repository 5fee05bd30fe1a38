/**
 * The GPU plumbing of the tensor-core probe (./tensorProbe.ts): compiling with the compiler's messages, padded
 * uploads (through the f32 → f16 pass for f16 configs), one checked run, and timing the way the bench's matmul cases
 * do. Nothing here catches: the probe runs every call under its error scopes and timeout.
 */
import { readF32 } from '../../engine/gpu/buffers';
import { median } from './timing';
import { padMatrix, tilePlan, type SmKernelShape } from './subgroupMatrix';

export async function compile(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code, label });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(`shader compile error: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  return device.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
}

export type Pipelines = { mm: GPUComputePipeline; cvt: GPUComputePipeline | null };

/** Upload a (M, K) and b (K, N) padded to the tile plan (f16: through the conversion pass); c zeroed. */
export function operands(device: GPUDevice, p: Pipelines, shape: SmKernelShape, a: Float32Array, b: Float32Array, M: number, K: number, N: number) {
  const plan = tilePlan(shape, M, K, N);
  const { Mp, Kp, Np } = plan;
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, usage: number) => {
    const buf = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage });
    made.push(buf);
    return buf;
  };
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const upload = (x: Float32Array): GPUBuffer => {
    const f32 = buffer(x.byteLength, S);
    device.queue.writeBuffer(f32, 0, x);
    if (!p.cvt) return f32;
    const half = buffer(x.length * 2, S);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p.cvt);
    pass.setBindGroup(0, device.createBindGroup({ layout: p.cvt.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: half } }, { binding: 1, resource: { buffer: f32 } }] }));
    const groups = Math.ceil(x.length / 256), gx = Math.min(groups, 65535);
    pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
    pass.end();
    device.queue.submit([enc.finish()]);
    return half;
  };
  const bufA = upload(padMatrix(a, M, K, Mp, Kp)), bufB = upload(padMatrix(b, K, N, Kp, Np));
  const bufC = buffer(Mp * Np * 4, S);
  const dims = buffer(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(dims, 0, new Uint32Array([Mp, Kp, Np, 0]));
  const bind = device.createBindGroup({ layout: p.mm.getBindGroupLayout(0), entries: [bufC, bufA, bufB, dims].map((buf, binding) => ({ binding, resource: { buffer: buf } })) });
  const encode = (reps: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p.mm);
    pass.setBindGroup(0, bind);
    for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(...plan.groups);
    pass.end();
    return enc.finish();
  };
  return { plan, c: bufC, encode, destroy: () => made.forEach((buf) => buf.destroy()) };
}

export async function runOnce(device: GPUDevice, p: Pipelines, shape: SmKernelShape, a: Float32Array, b: Float32Array, M: number, K: number, N: number) {
  const ops = operands(device, p, shape, a, b, M, K, N);
  try {
    device.queue.submit([ops.encode(1)]);
    return { got: await readF32(device, ops.c), Np: ops.plan.Np };
  } finally {
    ops.destroy();
  }
}

/** ms per S³ product (random inputs: the values do not change the speed). */
export async function timeKernel(device: GPUDevice, p: Pipelines, shape: SmKernelShape, S: number, a: Float32Array, b: Float32Array): Promise<number> {
  const ops = operands(device, p, shape, a, b, S, S, S);
  try {
    let pending: GPUCommandBuffer | null = null;
    return await timeReps(device, (reps) => { pending = ops.encode(reps); }, () => device.queue.submit([pending!]));
  } finally {
    ops.destroy();
  }
}

/**
 * The bench's timing rule (gpuBench matmulCases): record `reps` products, then time submit → onSubmittedWorkDone;
 * one warm-up, reps chosen so a run takes ~100 ms (1..200), median of 3 runs, per product.
 */
export async function timeReps(device: GPUDevice, record: (reps: number) => void, submit: () => void): Promise<number> {
  const run = async (reps: number) => {
    record(reps);
    const t0 = performance.now();
    submit();
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / reps;
  };
  await run(1);
  const reps = Math.max(1, Math.min(200, Math.ceil(100 / Math.max(await run(1), 1e-3))));
  return median([await run(reps), await run(reps), await run(reps)]);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
