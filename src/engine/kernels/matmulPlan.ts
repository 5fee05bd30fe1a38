/**
 * Which matmul kernel variant runs a given product (shaders/matmul.wgsl), chosen per adapter class and shape:
 *
 * - entry point: `main_k4` (op(a) and op(b) read as vec4s along k) for the x·Wᵀ layout when aligned, else the scalar
 *   `main` or the f16-word entry points;
 * - workgroup shape (WG_X x WG_Y, 64 invocations, each an 8 x 8 output block): 8 x 8, or 1 x 64 .. 4 x 16 (and the
 *   transposes) when N (or M) is a LoRA rank, so a skinny product does not leave 7 of 8 invocations idle;
 * - split-K, for the products whose caller allows it (the LoRA path, whose outputs have a rank for a dimension): a
 *   product with too few 8 x 8 output blocks to fill a GPU but a long K (the LoRA gradients dA (r, in) and dB (out, r)
 *   reduce over all B·T tokens; u = x·Aᵀ and du = dy·B have only tokens·r / 64 blocks) is cut into k chunks computed
 *   in parallel into a scratch buffer, then summed in order by a second pass (deterministic, no atomics). The base
 *   and LM-head products never split: their outputs are large, and a row's value must not depend on how many rows
 *   are computed with it (the LM head runs in row chunks and is bitwise the same as unchunked).
 *
 * A CPU adapter (SwiftShader) runs workgroups on a couple of CPU threads: parallelism is not what it lacks, so it
 * never splits K (the extra pass and scratch traffic only cost), and it takes whichever entry point measured faster
 * there (see CPU_VEC4). Every choice can be forced — `forceMatmulKernels` in tests, or the STUDIO_MATMUL
 * environment variable in Node (`vec4=on,splitK=8,wgShape=square`) to run whole-model tests under each variant —
 * and every variant computes the same sums up to f32 rounding order.
 */

export interface MatmulKernelChoice {
  /** `main_k4` for aligned x·Wᵀ: 'auto' (per adapter class), 'on' (whenever aligned), 'off'. */
  vec4: 'auto' | 'on' | 'off';
  /** 'auto' (hardware adapters), 'off', or a forced chunk length (multiple of 4) used when K exceeds it; allowed products only. */
  splitK: 'auto' | 'off' | number;
  /** 'auto' (skinny workgroups for skinny products) or 'square' (always 8 x 8). */
  wgShape: 'auto' | 'square';
}

/**
 * What one matmul call dispatches. chunks = 1: a single pass; > 1: split-K with kChunk k per chunk, `rows` output
 * rows per partial + sum pair (M unless the scratch cannot hold M rows of partials).
 */
export interface MatmulPlan {
  entryPoint: 'main' | 'main_k4' | 'main_f16_k' | 'main_f16_n';
  wgX: number;
  wgY: number;
  kChunk: number;
  chunks: number;
  rows: number;
}

export interface PlanInput {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  bFormat: 'f32' | 'f16';
  aOffset: number;
  bOffset: number;
  /** The caller allows split-K (MatmulOptions.splitK). */
  splitK: boolean;
}

/** Split-K partials scratch, in floats (4 MiB): chunks · M · N never exceeds it. */
export const SPLITK_SCRATCH_FLOATS = 1 << 20;
/** Auto split-K aims for this many 8 x 8-block invocations in the first pass (an H200 holds ~270k resident). */
const SPLITK_TARGET_INVOCATIONS = 16384;
/** Shortest k chunk auto split-K makes (each invocation then still does ≥ 8 rounds of 4 k). */
const SPLITK_MIN_CHUNK = 32;
const SPLITK_MAX_CHUNKS = 64;
/** Chunks a row-wise product's K is cut into (K alone decides: see splitK). */
const SPLITK_ROW_CHUNKS = 16;

/**
 * Whether a CPU adapter takes `main_k4` under 'auto'. Measured on SwiftShader (2 cores, Node/Dawn, load ≈ 6,
 * two alternating rounds): x·Wᵀ 512x576x576 1.51 / 1.53 GFLOP/s vs 1.34 / 1.43 scalar, 512x576x1536 1.51 / 1.46 vs
 * 1.29 / 1.33, the LoRA-down 512x576x8 1.16 / 1.23 vs 0.95 / 1.01: fewer, wider gathers win there too.
 */
const CPU_VEC4 = true;
const DEFAULTS: MatmulKernelChoice = { vec4: 'auto', splitK: 'auto', wgShape: 'auto' };

let forced: Partial<MatmulKernelChoice> = parseEnv();

/** Overrides the per-adapter choice (tests): pass null to go back to the defaults (and STUDIO_MATMUL). */
export function forceMatmulKernels(choice: Partial<MatmulKernelChoice> | null): void {
  forced = choice ?? parseEnv();
}

/** The choice in force ('auto' entries are resolved per adapter class by planMatmul). */
export function matmulKernelChoice(): MatmulKernelChoice {
  return { ...DEFAULTS, ...forced };
}

/** Parses `vec4=on,splitK=8,wgShape=square` (any subset); throws on anything else so a typo cannot pass silently. */
export function parseMatmulChoice(text: string): Partial<MatmulKernelChoice> {
  const out: Partial<MatmulKernelChoice> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    if (key === 'vec4' && (value === 'auto' || value === 'on' || value === 'off')) out.vec4 = value;
    else if (key === 'wgShape' && (value === 'auto' || value === 'square')) out.wgShape = value;
    else if (key === 'splitK' && (value === 'auto' || value === 'off')) out.splitK = value;
    else if (key === 'splitK' && /^\d+$/.test(value) && Number(value) >= 4 && Number(value) % 4 === 0) out.splitK = Number(value);
    else throw new Error(`STUDIO_MATMUL: cannot read "${part}" (expected vec4=auto|on|off, splitK=auto|off|<multiple of 4>, wgShape=auto|square)`);
  }
  return out;
}

function parseEnv(): Partial<MatmulKernelChoice> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.STUDIO_MATMUL ? parseMatmulChoice(env.STUDIO_MATMUL) : {};
}

const nextPow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(1, v)));

/** WG_X x WG_Y for an M x N output: 8 x 8, or narrower along a dimension that has fewer than 8 blocks of 8. */
function workgroupShape(M: number, N: number, shape: MatmulKernelChoice['wgShape']): [number, number] {
  if (shape === 'square') return [8, 8];
  const bx = nextPow2(Math.ceil(N / 8));
  const by = nextPow2(Math.ceil(M / 8));
  if (bx >= 8 && by >= 8) return [8, 8];
  if (bx <= by) return [bx, 64 / bx];
  return [64 / by, by];
}

/**
 * k chunk length, chunk count (1: no split) and rows per dispatch pair. Only products whose caller allows it split
 * (`allow`: the LoRA path). Row-wise products (not transA: every output row is a row of `a`, e.g. u = x·Aᵀ) chunk k by
 * K alone and never decide by M, so a row's value does not depend on how many rows are computed with it (a decode
 * step, a prefill and a training forward agree bitwise); when M rows of partials overflow the scratch they run in row
 * blocks. transA products (dA, dB: M is a feature dimension, K the tokens) size their chunks by M·N.
 */
function splitK(
  M: number, K: number, N: number, transA: boolean, allow: boolean, choice: MatmulKernelChoice['splitK'], isSoftware: boolean,
): [number, number, number] {
  const none: [number, number, number] = [0, 1, M];
  if (!allow || choice === 'off' || (choice === 'auto' && isSoftware)) return none;
  let kChunk: number;
  if (typeof choice === 'number') kChunk = choice;
  else if (!transA) kChunk = Math.max(SPLITK_MIN_CHUNK, 4 * Math.ceil(K / SPLITK_ROW_CHUNKS / 4));
  else {
    const blocks = Math.ceil(M / 8) * Math.ceil(N / 8);
    const want = Math.min(Math.ceil(SPLITK_TARGET_INVOCATIONS / blocks), Math.floor(K / SPLITK_MIN_CHUNK), SPLITK_MAX_CHUNKS);
    if (want < 2) return none;
    kChunk = 4 * Math.ceil(K / want / 4);
  }
  if (K <= kChunk) return none;
  if (transA) kChunk = Math.max(kChunk, 4 * Math.ceil(K / Math.max(1, Math.floor(SPLITK_SCRATCH_FLOATS / (M * N))) / 4));
  const chunks = Math.ceil(K / kChunk);
  const rows = Math.min(M, Math.floor(SPLITK_SCRATCH_FLOATS / (chunks * N)));
  return chunks >= 2 && rows >= 1 && (!transA || rows === M) ? [kChunk, chunks, rows] : none;
}

export function planMatmul(p: PlanInput, isSoftware: boolean): MatmulPlan {
  const choice = matmulKernelChoice();
  const vec4 = choice.vec4 === 'on' || (choice.vec4 === 'auto' && (!isSoftware || CPU_VEC4));
  const { M, K, N, transA, transB, bFormat } = p;
  const f16 = bFormat === 'f16';
  const aligned = K % 4 === 0 && p.aOffset % 4 === 0 && p.bOffset % 4 === 0;
  const entryPoint =
    f16 && transB && K % 2 === 0
      ? 'main_f16_k'
      : f16 && !transB && N % 2 === 0
        ? 'main_f16_n'
        : !f16 && transB && !transA && aligned && vec4
          ? 'main_k4'
          : 'main';
  const [wgX, wgY] = workgroupShape(M, N, choice.wgShape);
  const [kChunk, chunks, rows] = splitK(M, K, N, transA, p.splitK, choice.splitK, isSoftware);
  return { entryPoint, wgX, wgY, kChunk, chunks, rows };
}
