/**
 * The tensor-core probe (issue #12, item 6) on this machine's CPU adapter. SwiftShader does not expose
 * chromium-experimental-subgroup-matrix (nor shader-f16), so the subgroup-matrix kernel itself cannot run here: these
 * tests prove that the probe reports that cleanly, that a config whose shader cannot compile is reported (with the
 * compiler's message) without throwing, and that the WGSL generator and CPU reference are right. The kernel's
 * numbers come from a real GPU: `node gpu.mjs --case probe` (bench/README.md, "Tensor cores probe").
 */
import { describe, it, expect } from 'vitest';
import { testGpu } from '../../testing/gpu';
import { createNodeGpuInstance } from '../../node/gpu';
import { probeTensorCores, runSubgroupMatrixConfig } from './tensorProbe';
import {
  configName, errorStats, F32_TO_F16_WGSL, matmulF64, padMatrix, PROBE_DAWN_TOGGLES, skipReason, subgroupMatrixMatmulWgsl, tilePlan, type SubgroupMatrixConfig,
} from './subgroupMatrix';

const F16_16x8x16: SubgroupMatrixConfig = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 8, K: 16 };
const F32_8x8x8: SubgroupMatrixConfig = { componentType: 'f32', resultComponentType: 'f32', M: 8, N: 8, K: 8 };

describe('tensor-core probe on SwiftShader', () => {
  it('reports the adapter and "not exposed" in one line, without throwing', async () => {
    const gpu = await testGpu();
    const lines: string[] = [];
    const instance = createNodeGpuInstance(['adapter=SwiftShader', PROBE_DAWN_TOGGLES]);
    const records = await probeTensorCores({ instance, gpu, quick: true, log: (m) => lines.push(m) });
    expect(records).toHaveLength(1);
    const [adapter] = records;
    expect(adapter.case).toBe('probe/adapter');
    expect(adapter.subgroup_matrix).toBe(false);
    expect(adapter.configs).toEqual([]);
    expect(adapter.architecture).toBe('swiftshader');
    expect(adapter.features).toContain('subgroups');
    expect(lines.filter((l) => /not exposed/.test(l))).toEqual([
      'probe: tensor cores: chromium-experimental-subgroup-matrix not exposed by this adapter (SwiftShader driver 5.0.0); nothing to run',
    ]);
    expect(lines.some((l) => /subgroup sizes 4\.\.4; shader-f16 NO/.test(l))).toBe(true);
  });

  it('with no instance, returns one error record', async () => {
    const lines: string[] = [];
    const records = await probeTensorCores({ instance: null, gpu: await testGpu(), quick: true, log: (m) => lines.push(m) });
    expect(records.map((r) => [r.case, r.status])).toEqual([['probe/adapter', 'error']]);
  });

  it('a config whose shader does not compile is reported per block with the compiler message, and nothing throws', async () => {
    const gpu = await testGpu();
    const lines: string[] = [];
    const ctx = { instance: createNodeGpuInstance(['adapter=SwiftShader', PROBE_DAWN_TOGGLES]), gpu, quick: true, log: (m: string) => lines.push(m) };
    // A device without the feature: the enable directive is refused at shader creation.
    const records = await runSubgroupMatrixConfig(ctx, F32_8x8x8, 4, ['subgroups']);
    expect(records.map((r) => r.case)).toEqual(['probe/sm/f32->f32/8x8x8/1x1', 'probe/sm/f32->f32/8x8x8/2x2']);
    for (const r of records) {
      expect(r.status).toBe('error');
      expect(r.note).toMatch(/shader compile error: .*chromium_experimental_subgroup_matrix/);
    }
    expect(lines.at(-1)).toBe('probe: f32->f32/8x8x8 verdict: no check completed');
  });

  it('a device that cannot be opened (feature missing) is reported, and nothing throws', async () => {
    const gpu = await testGpu();
    const ctx = { instance: createNodeGpuInstance(['adapter=SwiftShader', PROBE_DAWN_TOGGLES]), gpu, quick: true, log: () => {} };
    const records = await runSubgroupMatrixConfig(ctx, F32_8x8x8, 4);
    expect(records).toHaveLength(2);
    for (const r of records) expect(r.note).toMatch(/^pipeline: could not open the probe device: /);
  });
});

describe('subgroup-matrix WGSL generator', () => {
  it('enables the extension (and f16 for f16 inputs) and writes the config tile constants', () => {
    const wgsl = subgroupMatrixMatmulWgsl({ config: F16_16x8x16, subgroupSize: 32, tilesM: 2, tilesN: 3 });
    expect(wgsl.startsWith('enable f16;\nenable chromium_experimental_subgroup_matrix;\n')).toBe(true);
    expect(wgsl).toContain('const TM = 16;');
    expect(wgsl).toContain('const TN = 8;');
    expect(wgsl).toContain('const TK = 16;');
    expect(wgsl).toContain('@compute @workgroup_size(32)');
    // (columns, rows) order of the WGSL types: left is M×K, right K×N, result M×N.
    expect(wgsl).toContain('subgroupMatrixLoad<subgroup_matrix_left<f16, TK, TM>, row_major>(&a, (row0 + 1u * TM) * Kp + k, Kp)');
    expect(wgsl).toContain('subgroupMatrixLoad<subgroup_matrix_right<f16, TN, TK>, row_major>(&b, k * Np + col0 + 2u * TN, Np)');
    expect(wgsl).toContain('subgroupMatrixStore<row_major>(&c, (row0 + 1u * TM) * Np + col0 + 2u * TN, acc_1_2, Np);');
    expect(wgsl).toContain('var acc_1_2 = subgroup_matrix_result<f32, TN, TM>();');
    expect(wgsl.match(/subgroupMatrixMultiplyAccumulate/g)).toHaveLength(6);
    expect(wgsl.match(/subgroupMatrixStore/g)).toHaveLength(6);
    expect(wgsl).toContain('var<storage, read> a: array<f16>;');

    const f32 = subgroupMatrixMatmulWgsl({ config: F32_8x8x8, subgroupSize: 64, tilesM: 1, tilesN: 1 });
    expect(f32).not.toContain('enable f16');
    expect(f32).toContain('const TM = 8;');
    expect(f32).toContain('var<storage, read> a: array<f32>;');
    expect(f32).toContain('@compute @workgroup_size(64)');
  });

  it('refuses configs it cannot build, with the reason', () => {
    const shape = (config: SubgroupMatrixConfig) => ({ config, subgroupSize: 32, tilesM: 1, tilesN: 1 });
    expect(() => subgroupMatrixMatmulWgsl(shape({ ...F16_16x8x16, resultComponentType: 'f16' }))).toThrow(/result type must be f32, got f16/);
    expect(() => subgroupMatrixMatmulWgsl(shape({ ...F16_16x8x16, componentType: 'i8' }))).toThrow(/input type must be f32 or f16, got i8/);
    expect(() => subgroupMatrixMatmulWgsl({ ...shape(F32_8x8x8), tilesM: 0 })).toThrow(/tilesM must be a positive integer/);
  });

  it('says why a config is skipped', () => {
    expect(skipReason(F32_8x8x8, false)).toBeNull();
    expect(skipReason(F16_16x8x16, true)).toBeNull();
    expect(skipReason(F16_16x8x16, false)).toMatch(/shader-f16/);
    expect(skipReason({ ...F16_16x8x16, resultComponentType: 'f16' }, true)).toMatch(/only f32 results/);
    expect(skipReason({ componentType: 'i8', resultComponentType: 'i32', M: 8, N: 8, K: 32 }, true)).toMatch(/only f32 results/);
    expect(skipReason({ componentType: 'u8', resultComponentType: 'f32', M: 8, N: 8, K: 32 }, true)).toMatch(/input type u8/);
  });

  it('pads awkward sizes up to the block each workgroup covers', () => {
    const p = tilePlan({ config: F16_16x8x16, subgroupSize: 32, tilesM: 2, tilesN: 2 }, 96, 160, 72);
    expect(p).toEqual({ Mp: 96, Kp: 160, Np: 80, groups: [5, 3] });
    const q = tilePlan({ config: F16_16x8x16, subgroupSize: 32, tilesM: 4, tilesN: 2 }, 97, 161, 72);
    expect(q).toEqual({ Mp: 128, Kp: 176, Np: 80, groups: [5, 2] });
  });
});

describe('CPU side of the probe', () => {
  it('pads with zeros and multiplies in float64', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // (2, 3)
    const b = Float32Array.from([1, 0, 0, 1, 1, 1]); // (3, 2)
    expect([...matmulF64(a, b, 2, 3, 2)]).toEqual([4, 5, 10, 11]);
    expect([...padMatrix(a, 2, 3, 3, 4)]).toEqual([1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0]);
  });

  it('measures errors on the unpadded corner against the training tolerance', () => {
    const want = Float64Array.from([4, 5, 10, 11]);
    const exact = Float32Array.from([4, 5, 99, 10, 11, 99]); // (2, 3): column 2 is padding, ignored
    expect(errorStats(exact, 3, want, 2, 2)).toEqual({ maxAbs: 0, maxRel: 0, tolRatio: 0 });
    const off = Float32Array.from([4, 5, 0, 10, 11.01, 0]);
    const s = errorStats(off, 3, want, 2, 2);
    expect(s.maxAbs).toBeCloseTo(0.01, 5);
    expect(s.maxRel).toBeCloseTo(0.01 / 11, 5);
    expect(s.tolRatio).toBeGreaterThan(1); // 0.01 > 1e-4 + 1e-4·11
    expect(errorStats(Float32Array.from([NaN, 5, 0, 10, 11, 0]), 3, want, 2, 2).tolRatio).toBe(Infinity);
  });
});

/**
 * Dawn's null backend exposes chromium-experimental-subgroup-matrix (with shader-f16, no configs, and no execution:
 * dispatches do nothing). It runs the real WGSL compiler and the real API validation, so here the generated kernels
 * must compile without a single message, and every step of a config (pipelines, padded uploads, the f16 conversion
 * pass, bind groups, dispatch, readback, timing) must pass validation. Its results are meaningless (zeros), so the
 * checks must report them as outside the tolerance — which also proves a wrong result cannot pass.
 */
describe('subgroup-matrix kernels on Dawn\'s null backend (compile and validation only)', () => {
  const nullInstance = () => createNodeGpuInstance(['backend=null', PROBE_DAWN_TOGGLES]);

  it('the generated WGSL compiles with no message for f32 and f16 configs and several blocks', async () => {
    const adapter = (await nullInstance().requestAdapter())!;
    expect(adapter.features.has('chromium-experimental-subgroup-matrix')).toBe(true);
    const device = await adapter.requestDevice({ requiredFeatures: ['subgroups', 'chromium-experimental-subgroup-matrix', 'shader-f16'] as GPUFeatureName[] });
    const subgroupSize = (adapter.info as GPUAdapterInfo & { subgroupMaxSize: number }).subgroupMaxSize;
    const texts = [
      F32_TO_F16_WGSL,
      ...[F16_16x8x16, F32_8x8x8, { ...F16_16x8x16, N: 16 }].flatMap((config) =>
        [[1, 1], [2, 2], [4, 2]].map(([tilesM, tilesN]) => subgroupMatrixMatmulWgsl({ config, subgroupSize, tilesM, tilesN }))),
    ];
    for (const code of texts) {
      const module = device.createShaderModule({ code });
      expect((await module.getCompilationInfo()).messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`), code).toEqual([]);
      await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    }
    device.destroy();
  });

  it('a whole config runs through every step without an API error', async () => {
    const gpu = await testGpu();
    const lines: string[] = [];
    const ctx = { instance: nullInstance(), gpu, quick: true, log: (m: string) => lines.push(m) };
    const adapter = (await ctx.instance.requestAdapter())!;
    const subgroupSize = (adapter.info as GPUAdapterInfo & { subgroupMaxSize: number }).subgroupMaxSize;
    const features = ['subgroups', 'chromium-experimental-subgroup-matrix', 'shader-f16'];
    for (const config of [F16_16x8x16, F32_8x8x8]) {
      const records = await runSubgroupMatrixConfig(ctx, config, subgroupSize, features);
      const name = `probe/sm/${configName(config)}`;
      expect(records.map((r) => [r.case, r.unit])).toEqual([
        [`${name}/1x1/check/96x160x72`, 'max abs error'], [`${name}/1x1/256^3`, 'TFLOP/s'],
        [`${name}/2x2/check/96x160x72`, 'max abs error'], [`${name}/2x2/256^3`, 'TFLOP/s'],
      ]);
      for (const r of records.filter((r) => r.unit === 'max abs error')) expect(r.within_training_tol, r.case).toBe(false);
      for (const r of records.filter((r) => r.unit === 'TFLOP/s')) {
        expect(r.peer).toBe('plain matmul');
        expect(r.peer_value, 'the engine matmul timed on the test device').toBeGreaterThan(0);
      }
    }
    expect(lines.filter((l) => /failed|validation|lost|timed out/i.test(l))).toEqual([]);
  });
});
