/**
 * The GPU memory a model will need, before anything is allocated: THE arithmetic for it (the Train page, `cli train`
 * and runTraining all ask here). Pure — no GPU, so the UI imports it. Activations come from the same size tables the
 * allocator uses (transformer/activations.ts), weights from the same tensor list the loader resolves and the same
 * storage rule (transformer/format.ts); a test checks the totals against the buffer pool's accounting.
 *
 * What can be known for certain is per buffer: WebGPU refuses a buffer over `maxBufferSize` and a binding over
 * `maxStorageBufferBindingSize`, and every buffer here is bound whole. Those are errors (the run is refused). The
 * adapter gives no total-memory figure, so the total is only compared with a budget and warned about (see
 * memoryBudget). The LM head's logits are computed a chunk of rows at a time (logitsChunkRows), so the (tokens ×
 * vocabulary) logits never need one binding.
 */
import { SPLITK_SCRATCH_FLOATS } from '../kernels/matmulPlan';
import { optimizerStatusBytes } from '../kernels/optimizerStatus';
import type { ModelConfig } from '../model/config';
import { ropeInvFreq } from '../model/config';
import { expectedTensors } from '../model/tensors';
import { backwardScratchSizes, layerActivationSizes, modelActivationSizes, type BufferSize } from './activations';
import { isMatrixWeight, storedBytes, type WeightFormat } from './format';

/** The two per-buffer limits (a GPUSupportedLimits or an AdapterSummary's limits has them). */
export interface BindingLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface MemoryLimits extends BindingLimits {
  /** A software (CPU) adapter: the budget is the machine's memory rather than a GPU's. */
  isSoftware?: boolean;
  /** The machine's memory in bytes, when known (Node: os.totalmem(); browsers: navigator.deviceMemory, ≤ 8 GiB). */
  hostMemoryBytes?: number;
}

/** Most bytes one chunk of logits may take (below the binding limit too): 256 MiB. */
export const LOGITS_BUDGET_BYTES = 256 * 2 ** 20;
/** The total above which a run on a GPU is warned about (no WebGPU adapter reports its memory): 4 GiB. */
export const GPU_BUDGET_BYTES = 4 * 2 ** 30;
/**
 * Trainer scratch beside the moments and the optimizer status buffer (optimizerStatusBytes: its size follows the
 * trainable tensors): the step losses (64 + 5 floats, then two per micro-batch for the answer/prompt loss split) and
 * the split's two sums. The split's answer mask (N u32) is counted with it in planMemory.
 */
export const OPTIMIZER_SCRATCH_BYTES = (3 * 64 + 5) * 4 + 2 * 4;

const GiB = 2 ** 30, MiB = 2 ** 20, KiB = 2 ** 10;
/** 1288490188 → "1.2 GiB", 5242880 → "5 MiB" (binary units, one decimal below 10). */
export function formatMemory(bytes: number): string {
  const [v, unit] = bytes >= GiB ? [bytes / GiB, 'GiB'] : bytes >= MiB ? [bytes / MiB, 'MiB'] : bytes >= KiB ? [bytes / KiB, 'KiB'] : [bytes, 'bytes'];
  return `${v >= 10 || unit === 'bytes' ? Math.round(v) : Math.round(v * 10) / 10} ${unit}`;
}

/** Thrown when a single row of logits (V floats) cannot be bound: no chunking helps. */
export class LogitsRowTooLargeError extends Error {
  override name = 'LogitsRowTooLargeError';
}

/**
 * Rows of logits per chunk for N tokens and vocabulary V: all N when they fit in one binding and in
 * LOGITS_BUDGET_BYTES, else the fewest equal chunks that do (e.g. Gemma 3, V = 262144: 256 rows of 1 MiB). `requested`
 * forces a chunk size (tests; or N for a model whose logits are read back whole).
 */
export function logitsChunkRows(N: number, V: number, limits: BindingLimits, requested?: number): number {
  const perRow = V * 4;
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (perRow > cap) throw new LogitsRowTooLargeError(`One row of logits (vocabulary ${V} × 4 bytes = ${formatMemory(perRow)}) exceeds this GPU's binding limit (${formatMemory(cap)}).`);
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new Error(`logitsRows must be a positive integer, got ${requested}`);
    return Math.min(requested, N);
  }
  const maxRows = Math.max(1, Math.floor(Math.min(cap, LOGITS_BUDGET_BYTES) / perRow));
  if (maxRows >= N) return N;
  return Math.ceil(N / Math.ceil(N / maxRows));
}

/** A LoRA module as the plan needs it (a LoraTarget has these fields). */
export interface LoraModuleSize {
  module: string;
  layer: number;
  inFeatures: number;
  outFeatures: number;
  r: number;
}

export interface MemoryRequest {
  /** Micro-batch rows and sequence length (the model's allocation). */
  B: number;
  T: number;
  /** LoRA modules with their ranks, or null. */
  lora: readonly LoraModuleSize[] | null;
  /** Full-parameter training: an f32 copy of every weight is trained (the loaded weights stay as they are). */
  fullParams?: boolean;
  recompute?: boolean;
  /** How the loaded weights' matrices are stored. */
  weightFormat: WeightFormat;
  kvCap?: number;
  /** Forced logits chunk (see logitsChunkRows). */
  logitsRows?: number;
  /** AdamW moments and trainer scratch (default: when anything is trained). */
  optimizer?: boolean;
}

/** Bytes by kind; `total` is their sum. Each kind is one buffer pool of the running model (see the test). */
export interface MemoryBytes {
  /** The loaded base weights ('weights' pool). */
  weights: number;
  /** Full-parameter mode: the f32 copy that is trained. */
  trainingCopy: number;
  /** LoRA A and B. */
  lora: number;
  /** Gradients of everything trained. */
  grads: number;
  /** AdamW moments (m, v) and the trainer's scratch. */
  optimizer: number;
  /** Layer activations, backward scratch, residual stream, final norm, the logits chunk and the losses. */
  activations: number;
  /** Token ids, targets, positions, segments, RoPE tables. */
  inputs: number;
  kvCache: number;
  total: number;
}

export interface MemoryPlan {
  bytes: MemoryBytes;
  /** The LM head's logits: rows per chunk, chunks per forward, bytes of the chunk buffer. */
  logits: { rows: number; chunks: number; bytes: number };
  /** The largest single buffer (each is bound whole). */
  largest: { what: string; bytes: number };
  /** Certain failures: buffers over maxBufferSize, bindings over maxStorageBufferBindingSize. The run is refused. */
  errors: string[];
  /** The total is above the budget: it may not fit (not refused). */
  warnings: string[];
  budget: number;
  fits: boolean;
}

/** The total a run is compared with: the machine's memory on a CPU adapter when known, else GPU_BUDGET_BYTES. */
export function memoryBudget(limits: MemoryLimits): number {
  return limits.isSoftware && limits.hostMemoryBytes ? limits.hostMemoryBytes : GPU_BUDGET_BYTES;
}

const bytesOf = (floats: number) => Math.max(4, floats * 4); // what BufferPool.storage allocates

/** The whole plan. Never throws for sizes: what cannot work is listed in `errors`. */
export function planMemory(cfg: ModelConfig, req: MemoryRequest, limits: MemoryLimits): MemoryPlan {
  const { B, T } = req;
  const N = B * T, C = cfg.hidden;
  const buffers: { what: string; bytes: number }[] = [];
  const sum = (what: string, list: { what: string; bytes: number }[]) => {
    buffers.push(...list.map((b) => ({ what: `${what} ${b.what}`, bytes: b.bytes })));
    return list.reduce((a, b) => a + b.bytes, 0);
  };
  const table = (sizes: BufferSize[]) => sizes.map((s) => ({ what: s.name, bytes: bytesOf(s.floats) }));

  const tensors = expectedTensors(cfg).map((t) => ({ name: t.name, elements: t.shape.reduce((a, b) => a * b, 1) }));
  const formatOf = (name: string): WeightFormat => (req.weightFormat === 'f16' && isMatrixWeight(name) ? 'f16' : 'f32');
  const weights = sum('weight', tensors.map((t) => ({ what: t.name, bytes: storedBytes(t.elements, formatOf(t.name)) })));
  // runTraining widens f16 matrices (2 bytes each, padded to words) and copies f32 tensors; widening needs a 4-byte zero.
  const copies = tensors.map((t) => ({ what: `${t.name} (f32 copy)`, bytes: formatOf(t.name) === 'f16' ? storedBytes(t.elements, 'f16') * 2 : t.elements * 4 }));
  const trainingCopy = req.fullParams ? sum('weight', copies) + (req.weightFormat === 'f16' ? 4 : 0) : 0;

  const lora = req.lora ?? [];
  const loraSizes = lora.flatMap((m) => [m.r * m.inFeatures, m.outFeatures * m.r]);
  const loraBytes = sum('LoRA', loraSizes.map((n, i) => ({ what: `${lora[i >> 1].module} ${i & 1 ? 'B' : 'A'}`, bytes: bytesOf(n) })));
  const trained = [...loraSizes, ...(req.fullParams ? tensors.map((t) => t.elements) : [])];
  const grads = sum('gradient', trained.map((n) => ({ what: `(${n} values)`, bytes: bytesOf(n) })));
  const optimizer = (req.optimizer ?? trained.length > 0)
    ? sum('AdamW moment', trained.flatMap((n) => [{ what: `(${n} values)`, bytes: bytesOf(n) }, { what: `(${n} values)`, bytes: bytesOf(n) }])) + OPTIMIZER_SCRATCH_BYTES + N * 4 +
      optimizerStatusBytes(trained, !!limits.isSoftware) +
      sum('last good parameters (NaN guard)', trained.map((n) => ({ what: `(${n} values)`, bytes: bytesOf(n) })))
    : 0;

  const errors: string[] = [];
  let rows = N;
  try {
    rows = logitsChunkRows(N, cfg.vocabSize, limits, req.logitsRows);
  } catch (e) {
    errors.push((e as Error).message);
  }
  const layerSets = req.recompute
    ? [layerActivationSizes(cfg, B, T, new Map(lora.map((m) => [m.module, m.r])))]
    : Array.from({ length: cfg.nLayers }, (_, i) => layerActivationSizes(cfg, B, T, new Map(lora.filter((m) => m.layer === i).map((m) => [m.module, m.r]))));
  const maxRank = Math.max(1, ...lora.map((m) => m.r));
  const maxIn = Math.max(C, ...lora.map((m) => m.inFeatures));
  const activations =
    layerSets.reduce((a, set) => a + sum('activation', table(set)), 0) +
    sum('activation', table(backwardScratchSizes(cfg, N, maxRank, maxIn))) +
    sum('activation', table(modelActivationSizes(cfg, N, rows))) +
    // LoRA products split K on hardware adapters, into one partials scratch per device (kernels/matmulPlan.ts).
    (lora.length > 0 && !limits.isSoftware ? sum('activation', [{ what: 'matmul split-K partials', bytes: SPLITK_SCRATCH_FLOATS * 4 }]) : 0);
  const ropes = new Map(cfg.layers.filter((l) => l.rope).map((l) => [JSON.stringify(l.rope), l.rope]));
  const inputs = 4 * bytesOf(N) + [...ropes.values()].reduce((a, r) => a + bytesOf(ropeInvFreq(cfg, r).length), 0);
  const kvW = cfg.nKVHeads * cfg.headDim;
  const kvCache = req.kvCap ? sum('KV cache', Array.from({ length: 2 * cfg.nLayers }, (_, i) => ({ what: `${i & 1 ? 'v' : 'k'}${i >> 1}`, bytes: bytesOf(req.kvCap! * kvW) }))) + 2 * bytesOf(req.kvCap) : 0; // + cache segment ids and the ids sampled on the GPU

  const bytes: MemoryBytes = { weights, trainingCopy, lora: loraBytes, grads, optimizer, activations, inputs, kvCache, total: 0 };
  bytes.total = weights + trainingCopy + loraBytes + grads + optimizer + activations + inputs + kvCache;
  const largest = buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a), { what: 'nothing', bytes: 0 });
  for (const b of buffers) {
    const e = b.bytes > limits.maxBufferSize
      ? `The ${b.what} needs a ${formatMemory(b.bytes)} buffer, but this GPU's maxBufferSize is ${formatMemory(limits.maxBufferSize)}.`
      : b.bytes > limits.maxStorageBufferBindingSize
        ? `The ${b.what} needs ${formatMemory(b.bytes)} in one binding, but this GPU's maxStorageBufferBindingSize is ${formatMemory(limits.maxStorageBufferBindingSize)}.`
        : null;
    if (e && !errors.includes(e)) errors.push(e);
  }
  const budget = memoryBudget(limits);
  const warnings = bytes.total > budget
    ? [`This run needs ~${formatMemory(bytes.total)} of GPU memory, more than the ${formatMemory(budget)} ${limits.isSoftware && limits.hostMemoryBytes ? 'this machine has' : 'assumed safe on a GPU (WebGPU does not report how much memory a GPU has)'}; it may fail to allocate or lose the device.`]
    : [];
  return {
    bytes, logits: { rows, chunks: Math.ceil(N / rows), bytes: bytesOf(rows * cfg.vocabSize) }, largest, errors, warnings, budget, fits: errors.length === 0,
  };
}

/** A change that makes a run fit, and what the run then needs. */
export interface MemorySuggestion {
  change: 'recompute' | 'maxLength' | 'batch';
  /** The new setting (recompute: 1; maxLength: T; batch: B). */
  value: number;
  /** The suggested run recomputes activations (the 'recompute' change, or a length/batch found with it on). */
  recompute: boolean;
  total: number;
  text: string;
}

/** The largest n in [lo, hi] with ok(n) (ok is monotone: true up to some n), or null. */
function largestWhere(lo: number, hi: number, ok: (n: number) => boolean): number | null {
  if (hi < lo || !ok(lo)) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * What would make a refused (or over-budget) run fit: recomputation, the longest shorter max length, the largest
 * smaller batch — each with the total it gives, under the budget when anything is. When recomputation alone is not
 * enough, the length and batch are searched with it on (and say so). Empty when the run fits, or when none of these helps (a weight over a limit).
 * Lengths of 64 and more are rounded down to a multiple of 32; none below `minLength` is suggested.
 */
export function memorySuggestions(cfg: ModelConfig, req: MemoryRequest, limits: MemoryLimits, minLength = 32): MemorySuggestion[] {
  const base = planMemory(cfg, req, limits);
  if (base.fits && !base.warnings.length) return [];
  // Aim under the budget too, unless even the smallest run (batch 1, minLength, recomputation) is over it.
  const smallest = planMemory(cfg, { ...req, B: 1, T: Math.min(minLength, req.T), recompute: true }, limits);
  const budgeted = smallest.fits && !smallest.warnings.length;
  const ok = (r: MemoryRequest) => {
    const p = planMemory(cfg, r, limits);
    return p.fits && (!budgeted || !p.warnings.length);
  };
  const total = (r: MemoryRequest) => planMemory(cfg, r, limits).bytes.total;
  const out: MemorySuggestion[] = [];
  const withRecompute = { ...req, recompute: true };
  const recomputeFixes = !req.recompute && ok(withRecompute);
  if (recomputeFixes) {
    const t = total(withRecompute);
    out.push({ change: 'recompute', value: 1, recompute: true, total: t, text: `activation recomputation (~${formatMemory(t)})` });
  }
  // Recomputation costs ~1.3× compute, not quality: prefer it over shorter examples or smaller batches when both are needed.
  const from = req.recompute || recomputeFixes ? req : withRecompute;
  const also = from === req ? '' : 'recomputation and ';
  let T = largestWhere(Math.min(minLength, req.T - 1), req.T - 1, (t) => ok({ ...from, T: t }));
  if (T !== null && T >= minLength) {
    if (T >= 64) T -= T % 32;
    const t = total({ ...from, T });
    out.push({ change: 'maxLength', value: T, recompute: !!from.recompute, total: t, text: `${also}max length ${T} (~${formatMemory(t)})` });
  }
  const B = largestWhere(1, req.B - 1, (b) => ok({ ...from, B: b }));
  if (B !== null) {
    const t = total({ ...from, B });
    out.push({ change: 'batch', value: B, recompute: !!from.recompute, total: t, text: `${also}batch size ${B} (~${formatMemory(t)})` });
  }
  return out;
}

/** The reason a run is refused, with what would fit; null when the plan fits. */
export function memoryRefusal(plan: MemoryPlan, suggestions: MemorySuggestion[]): string | null {
  if (plan.fits) return null;
  const more = plan.errors.length > 1 ? ` (and ${plan.errors.length - 1} more buffer${plan.errors.length > 2 ? 's' : ''} over a limit)` : '';
  const fix = suggestions.length
    ? `It would fit with ${suggestions.map((s) => s.text).join(', or ')}.`
    : 'No shorter max length, smaller batch or recomputation changes that: this model is too large for this GPU.';
  return `This run cannot fit on this GPU. ${plan.errors[0]}${more} ${fix}`;
}

/** One line: the total and its parts (the Train page's summary and `cli train`'s plan line). */
export function describeMemory(plan: MemoryPlan): string {
  const b = plan.bytes;
  const trained = b.lora + b.grads + b.optimizer;
  const parts = [
    `weights ${formatMemory(b.weights + b.trainingCopy)}${b.trainingCopy ? ` (incl. the f32 copy trained, ${formatMemory(b.trainingCopy)})` : ''}`,
    `activations ${formatMemory(b.activations)}${plan.logits.chunks > 1 ? ` (logits in ${plan.logits.chunks} chunks of ${plan.logits.rows} rows)` : ''}`,
    ...(trained ? [`trained parameters + gradients + AdamW ${formatMemory(trained)}`] : []),
    ...(b.kvCache ? [`KV cache ${formatMemory(b.kvCache)}`] : []),
  ];
  return `GPU memory: ~${formatMemory(b.total)} (${parts.join(', ')}); largest buffer ${formatMemory(plan.largest.bytes)} (${plan.largest.what})`;
}
