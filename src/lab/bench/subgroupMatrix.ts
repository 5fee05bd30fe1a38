/**
 * WebGPU "tensor cores": Dawn's `chromium-experimental-subgroup-matrix` feature (issue #12, item 6). The pure parts of
 * the probe (no device here): which adapter configs we try, the tile arithmetic, the generated WGSL and the float64
 * CPU reference the results are checked against. The probe that runs them is ./tensorProbe.ts.
 *
 * What a config means (GPUAdapterInfo.subgroupMatrixConfigs, one entry per hardware shape): a subgroup can compute
 * Acc(M×N) += A(M×K)·B(K×N) in one subgroupMatrixMultiplyAccumulate, with A and B of `componentType` and Acc of
 * `resultComponentType`. In WGSL the types take (columns, rows):
 *   subgroup_matrix_left<T, K, M>   A, M rows × K columns
 *   subgroup_matrix_right<T, N, K>  B, K rows × N columns
 *   subgroup_matrix_result<R, N, M> Acc, M rows × N columns
 * and the shape must equal a config's exactly (else pipeline creation fails). Loads and stores name the memory
 * layout as a template argument: subgroupMatrixLoad<TYPE, row_major>(&array, element offset, stride in elements)
 * and subgroupMatrixStore<row_major>(&array, offset, value, stride) (the older form with a `col_major: bool`
 * argument still compiles in our Dawn build, with a deprecation warning per call). Every argument must be
 * subgroup-uniform, and the workgroup's x size must be a multiple of the adapter's subgroupMaxSize.
 *
 * This WGSL cannot run on this machine: SwiftShader does not expose the feature ("extension ... is not allowed in
 * the current environment"). Dawn's null backend (create(['backend=null'])) does expose it, with no configs, and
 * compiles the generated text without a message: the unit test checks that; the numbers need a real GPU.
 */

export type SubgroupMatrixComponent = 'f32' | 'f16' | 'u32' | 'i32' | 'u8' | 'i8';

/** One entry of GPUAdapterInfo.subgroupMatrixConfigs, copied into a plain object. */
export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

export const SUBGROUP_MATRIX_FEATURE = 'chromium-experimental-subgroup-matrix';

/**
 * Dawn toggles the probe's own instance needs on a real GPU: the feature is exposed only with unsafe APIs allowed;
 * Dawn's own tests run it on Vulkan with the Vulkan memory model; Dawn hides shader-f16 on NVIDIA Vulkan (driver
 * bugs) unless asked, and every f16-input config needs shader-f16. The probe checks the results, so asking is safe.
 */
export const PROBE_DAWN_TOGGLES = 'enable-dawn-features=allow_unsafe_apis,use_vulkan_memory_model,vulkan_enable_f16_on_nvidia';

/**
 * The elementwise tolerance training holds matmul to: src/engine/kernels/matmul.test.ts (TOL, rule
 * |got − want| ≤ atol + rtol·|want| against a float64 reference). Keep the two equal.
 */
export const TRAINING_TOL = { rtol: 1e-4, atol: 1e-4 };

export const configName = (c: SubgroupMatrixConfig) => `${c.componentType}->${c.resultComponentType}/${c.M}x${c.N}x${c.K}`;

/**
 * Why a config is not tried, or null when it is: training accumulates in f32, so only f32 results; inputs f32 or
 * f16 (integer inputs would need quantized weights and activations); f16 inputs need the shader-f16 feature.
 */
export function skipReason(c: SubgroupMatrixConfig, hasF16: boolean): string | null {
  if (c.resultComponentType !== 'f32') return `result type ${c.resultComponentType}: only f32 results are tried (training accumulates in f32)`;
  if (c.componentType !== 'f32' && c.componentType !== 'f16') return `input type ${c.componentType}: only f32 and f16 inputs are tried`;
  if (c.componentType === 'f16' && !hasF16) return 'f16 inputs need the shader-f16 feature, which this adapter does not expose';
  return null;
}

/** How one dispatch covers C (M×N): each subgroup (= workgroup) computes tilesM × tilesN hardware tiles. */
export interface SmKernelShape {
  config: SubgroupMatrixConfig;
  /** GPUAdapterInfo.subgroupMaxSize: the workgroup's x size (one subgroup per workgroup). */
  subgroupSize: number;
  tilesM: number;
  tilesN: number;
}

/** The padded problem: every dimension rounded up to what one workgroup (rows, columns) or one k-step covers. */
export function tilePlan(s: SmKernelShape, M: number, K: number, N: number) {
  const blockM = s.config.M * s.tilesM, blockN = s.config.N * s.tilesN;
  const up = (x: number, m: number) => Math.ceil(x / m) * m;
  const Mp = up(M, blockM), Np = up(N, blockN), Kp = up(K, s.config.K);
  return { Mp, Kp, Np, groups: [Np / blockN, Mp / blockM] as [number, number] };
}

/**
 * c (Mp, Np) f32 = a (Mp, Kp) · b (Kp, Np), all row-major, T = the config's component type. Workgroup (x, y) owns the
 * block of tilesM × tilesN result tiles at rows y·tilesM·M, columns x·tilesN·N; it walks k in steps of K, loading
 * its tilesM left tiles once per step and each right tile once, straight from storage (the caches do the reuse).
 * The tiles are unrolled into named variables by the generator (no arrays of subgroup matrices: some compilers
 * spill those). Padding is the host's job: dims must be the tilePlan multiples, zero-filled.
 */
export function subgroupMatrixMatmulWgsl(s: SmKernelShape): string {
  const { config: c, subgroupSize, tilesM, tilesN } = s;
  if (c.resultComponentType !== 'f32') throw new Error(`subgroup-matrix matmul: result type must be f32, got ${c.resultComponentType}`);
  if (c.componentType !== 'f32' && c.componentType !== 'f16') throw new Error(`subgroup-matrix matmul: input type must be f32 or f16, got ${c.componentType}`);
  for (const [k, v] of Object.entries({ M: c.M, N: c.N, K: c.K, subgroupSize, tilesM, tilesN })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`subgroup-matrix matmul: ${k} must be a positive integer, got ${v}`);
  }
  const T = c.componentType;
  const L = `subgroup_matrix_left<${T}, TK, TM>`, R = `subgroup_matrix_right<${T}, TN, TK>`, Acc = 'subgroup_matrix_result<f32, TN, TM>';
  const is = [...Array(tilesM).keys()], js = [...Array(tilesN).keys()];
  const lines: string[] = [];
  if (T === 'f16') lines.push('enable f16;');
  lines.push(
    'enable chromium_experimental_subgroup_matrix;',
    '',
    `// Generated for the adapter config ${configName(c)}: ${tilesM}x${tilesN} tiles per subgroup of ${subgroupSize}.`,
    `const TM = ${c.M}; // tile rows (config M); abstract ints: they are the matrix types' template arguments`,
    `const TN = ${c.N}; // tile columns (config N)`,
    `const TK = ${c.K}; // k per multiply-accumulate (config K)`,
    '',
    '@group(0) @binding(0) var<storage, read_write> c: array<f32>; // (Mp, Np)',
    `@group(0) @binding(1) var<storage, read> a: array<${T}>; // (Mp, Kp)`,
    `@group(0) @binding(2) var<storage, read> b: array<${T}>; // (Kp, Np)`,
    '@group(0) @binding(3) var<uniform> dims: vec4u; // (Mp, Kp, Np, 0)',
    '',
    `@compute @workgroup_size(${subgroupSize})`,
    'fn main(@builtin(workgroup_id) wg: vec3u) {',
    '  let Kp = dims.y;',
    '  let Np = dims.z;',
    `  let row0 = wg.y * ${tilesM}u * TM;`,
    `  let col0 = wg.x * ${tilesN}u * TN;`,
  );
  for (const i of is) for (const j of js) lines.push(`  var acc_${i}_${j} = ${Acc}();`);
  lines.push('  for (var k = 0u; k < Kp; k += TK) {');
  for (const i of is) lines.push(`    let left_${i} = subgroupMatrixLoad<${L}, row_major>(&a, (row0 + ${i}u * TM) * Kp + k, Kp);`);
  for (const j of js) {
    lines.push(`    let right_${j} = subgroupMatrixLoad<${R}, row_major>(&b, k * Np + col0 + ${j}u * TN, Np);`);
    for (const i of is) lines.push(`    acc_${i}_${j} = subgroupMatrixMultiplyAccumulate(left_${i}, right_${j}, acc_${i}_${j});`);
  }
  lines.push('  }');
  for (const i of is) for (const j of js) lines.push(`  subgroupMatrixStore<row_major>(&c, (row0 + ${i}u * TM) * Np + col0 + ${j}u * TN, acc_${i}_${j}, Np);`);
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * The staging pass of f16 configs: dst[i] = f16(src[i]) for i < arrayLength(src). 2-D dispatch (x ≤ 65535 groups
 * of 256) because a 4096² operand has 65536 groups.
 */
export const F32_TO_F16_WGSL = `enable f16;

@group(0) @binding(0) var<storage, read_write> dst: array<f16>;
@group(0) @binding(1) var<storage, read> src: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let i = g.x + g.y * n.x * 256u;
  if (i < arrayLength(&src)) { dst[i] = f16(src[i]); }
}
`;

/** `x` (rows, cols) row-major, copied into a zero-filled (rowsP, colsP) array. */
export function padMatrix(x: Float32Array, rows: number, cols: number, rowsP: number, colsP: number): Float32Array {
  const out = new Float32Array(rowsP * colsP);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * cols, (r + 1) * cols), r * colsP);
  return out;
}

/** Float64 reference: (M, N) = a (M, K) · b (K, N), row-major. */
export function matmulF64(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    const row = out.subarray(i * N, (i + 1) * N);
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      for (let j = 0; j < N; j++) row[j] += av * b[k * N + j];
    }
  }
  return out;
}

export interface ErrorStats {
  maxAbs: number;
  /** maxAbs / max|want|: normwise, so it does not blow up where the exact value is near zero. */
  maxRel: number;
  /** max over elements of |got − want| / (atol + rtol·|want|) for TRAINING_TOL: ≤ 1 passes (NaN counts as Infinity). */
  tolRatio: number;
}

/** Compare the top-left (M, N) of got (rows of stride Np) with want (M, N). */
export function errorStats(got: Float32Array, Np: number, want: Float64Array, M: number, N: number): ErrorStats {
  let maxAbs = 0, maxWant = 0, tolRatio = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const w = want[i * N + j], d = Math.abs(got[i * Np + j] - w);
      const diff = Number.isNaN(d) ? Infinity : d;
      maxAbs = Math.max(maxAbs, diff);
      maxWant = Math.max(maxWant, Math.abs(w));
      tolRatio = Math.max(tolRatio, diff / (TRAINING_TOL.atol + TRAINING_TOL.rtol * Math.abs(w)));
    }
  }
  return { maxAbs, maxRel: maxWant > 0 ? maxAbs / maxWant : maxAbs, tolRatio };
}
