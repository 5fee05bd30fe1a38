/**
 * The GPU transformer: weights, LoRA parameters, activations and the forward/backward of a whole (B, T) batch, all
 * recorded into one command buffer per step. The model knows nothing of optimisation: it exposes its trainable
 * tensors and their gradients (`trainable()`), and the trainer owns AdamW, schedules and accumulation.
 *
 * Loss is Hugging Face's: logits at t predict labels[t+1]; positions whose (shifted) label is −100 contribute
 * nothing; the mean is over every non-ignored target of the optimizer step (so micro-batches sum exactly to it).
 */
import type { Gpu } from '../gpu/device';
import type { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import type { ModelConfig } from '../model/config';
import { ropeInvFreq } from '../model/config';
import { linearModules, headWeightName, type LinearLocal } from '../model/tensors';
import type { LoraTarget } from '../model/lora';
import { matmul } from '../kernels/matmul';
import { embeddingForward, embeddingBackward } from '../kernels/embedding';
import { crossEntropyFused, sumLoss } from '../kernels/cross_entropy';
import { fill } from '../kernels/fill';
import { allocBackwardScratch, allocLayerActivations, type BackwardScratch, type LayerActivations } from './activations';
import { layerBackward, layerForward, normBackward, normForward, type LayerWeights, type Norm, type StepContext } from './layers';
import type { Linear, LoraParams } from './linear';
import { uploadWeightStore, weightFormatOf, type WeightFormat, type WeightStore } from './weights';

export interface TransformerOptions {
  /** Micro-batch rows and sequence length the activations are sized for. */
  B: number;
  T: number;
  /** Keep only each layer's input; recompute the layer in backward (memory ≈ one layer of activations). */
  recompute?: boolean;
  /** Train every base weight (small models, pretraining). Mutually compatible with LoRA but normally exclusive. */
  fullParams?: boolean;
  /** LoRA modules to attach, with their current A/B values (host) and dropout. */
  lora?: { targets: LoraTarget[]; values: Map<string, Float32Array>; dropout: number } | null;
  /** Allocate a KV cache of this many tokens for decoding (requires B = 1; T is then the prefill chunk). */
  kvCap?: number;
}

/** A host-side batch: (B, T) row-major. Labels are UNSHIFTED (HF convention). */
export interface HostBatch {
  inputIds: Int32Array;
  labels: Int32Array;
  /** Defaults: 0..T-1 per row, and one segment per row. */
  positions?: Int32Array;
  segments?: Int32Array;
}

export interface TrainableTensor {
  /** PEFT key (LoRA) or logical HF name (full mode). */
  name: string;
  param: GPUBuffer;
  grad: GPUBuffer;
  size: number;
  /** AdamW weight decay applies (not to norms/biases in full mode). */
  decay: boolean;
}

const f32 = (n: number) => n * 4;
let instances = 0;

export class GpuTransformer {
  readonly N: number;
  readonly layers: LayerWeights[] = [];
  readonly loraParams = new Map<string, LoraParams & { target: LoraTarget }>();
  private readonly acts: LayerActivations[];
  private readonly residual: GPUBuffer[]; // L+1 of (N, C)
  private readonly grad: BackwardScratch;
  private readonly finalNorm: Norm;
  private readonly lnf: GPUBuffer;
  private readonly lnfMean: GPUBuffer | null;
  private readonly lnfRstd: GPUBuffer;
  private readonly logits: GPUBuffer;
  private readonly losses: GPUBuffer;
  readonly lossSum: GPUBuffer;
  private readonly tokens: GPUBuffer;
  private readonly targets: GPUBuffer;
  private readonly positions: GPUBuffer;
  private readonly segments: GPUBuffer;
  private readonly invFreq: GPUBuffer | null;
  private readonly dWeights = new Map<string, GPUBuffer>();
  private readonly head: GPUBuffer;
  private readonly headFormat: WeightFormat;
  private readonly kv: { k: GPUBuffer[]; v: GPUBuffer[]; segments: GPUBuffer } | null = null;
  /** Pools are per instance ("activations#3"), so a training model and a generation model can coexist. */
  private readonly tag = ++instances;
  private readonly pools = new Set<string>();

  /**
   * `weights`: logical HF name → buffer. A WeightStore may hold matrices as f16 (frozen use only: LoRA, generation);
   * a plain Map is all f32. Norm weights and biases must be f32, and every weight in full-parameter mode.
   */
  constructor(
    readonly gpu: Gpu,
    readonly cfg: ModelConfig,
    readonly weights: ReadonlyMap<string, GPUBuffer> | WeightStore,
    readonly opts: TransformerOptions,
  ) {
    const { B, T } = opts;
    const N = (this.N = B * T);
    const C = cfg.hidden, V = cfg.vocabSize;
    if (T > cfg.maxTrainLength) throw new Error(`Sequence length ${T} exceeds what this model supports (${cfg.maxTrainLength}).`);
    gpu.checkBinding('The logits (tokens × vocabulary)', f32(N * V));
    const buf = (pool: string, name: string, floats: number) => gpu.buffers.storage(this.pool(pool), name, f32(floats));
    const formatOf = (name: string) => weightFormatOf(weights, name);
    // f32Only: norms and biases (always f32), and everything trained in full-parameter mode.
    const need = (name: string, f32Only = !!opts.fullParams) => {
      const b = weights.get(name);
      if (!b) throw new Error(`weight ${name} is not loaded`);
      if (f32Only && formatOf(name) !== 'f32') {
        throw new Error(opts.fullParams
          ? `Full-parameter training needs f32 weights, but ${name} is stored as ${formatOf(name)} (load the model with weightFormat 'f32', or widen it with widenToF32)`
          : `weight ${name} must be f32 (norm weights and biases are never stored as ${formatOf(name)})`);
      }
      return b;
    };
    const dW = (name: string, floats: number) => {
      if (!opts.fullParams) return null;
      const b = buf('grads', `d:${name}`, floats);
      this.dWeights.set(name, b);
      return b;
    };
    const norm = (prefix: string): Norm => ({
      weight: need(`${prefix}.weight`, true),
      bias: cfg.norm === 'layernorm' ? need(`${prefix}.bias`, true) : null,
      dWeight: dW(`${prefix}.weight`, C),
      dBias: cfg.norm === 'layernorm' ? dW(`${prefix}.bias`, C) : null,
    });

    // LoRA parameters (f32 always), keyed by module path.
    const lora = opts.lora;
    if (lora) {
      for (const t of lora.targets) {
        const A = lora.values.get(t.keyA), Bv = lora.values.get(t.keyB);
        if (!A || !Bv) throw new Error(`LoRA values missing for ${t.module}`);
        this.loraParams.set(t.module, {
          target: t, r: t.r, scale: t.scale, dropout: lora.dropout,
          A: gpu.buffers.fromData(this.pool('lora'), t.keyA, A),
          B: gpu.buffers.fromData(this.pool('lora'), t.keyB, Bv),
          dA: buf('grads', `d:${t.keyA}`, t.r * t.inFeatures),
          dB: buf('grads', `d:${t.keyB}`, t.outFeatures * t.r),
        });
      }
    }

    const gpt2 = cfg.arch === 'gpt2';
    for (let i = 0; i < cfg.nLayers; i++) {
      const p = gpt2 ? `transformer.h.${i}.` : `model.layers.${i}.`;
      const linears = new Map<LinearLocal, Linear>();
      this.layers.push({ index: i, norm1: norm(p + (gpt2 ? 'ln_1' : 'input_layernorm')), norm2: norm(p + (gpt2 ? 'ln_2' : 'post_attention_layernorm')), linears });
    }
    for (const m of linearModules(cfg)) {
      this.layers[m.layer].linears.set(m.local, {
        path: m.path, inF: m.inFeatures, outF: m.outFeatures, layout: m.layout,
        weight: need(m.weight), weightFormat: formatOf(m.weight), bias: m.bias ? need(m.bias, true) : null,
        dWeight: dW(m.weight, m.inFeatures * m.outFeatures), dBias: m.bias ? dW(m.bias, m.outFeatures) : null,
        lora: this.loraParams.get(m.path) ?? null,
      });
    }
    this.finalNorm = norm(gpt2 ? 'transformer.ln_f' : 'model.norm');
    this.head = need(headWeightName(cfg));
    this.headFormat = formatOf(headWeightName(cfg));
    const embName = gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
    need(embName);
    if (gpt2) need('transformer.wpe.weight');
    dW(embName, V * C);
    if (gpt2) dW('transformer.wpe.weight', cfg.maxPositions * C);
    if (!cfg.tieEmbeddings) dW('lm_head.weight', V * C);

    // Activations
    const ranks = (layer: number) => new Map([...this.loraParams.values()].filter((l) => l.target.layer === layer).map((l) => [l.target.module, l.r]));
    const shared = opts.recompute ? allocLayerActivations(gpu, cfg, B, T, 'layer*', new Map([...this.loraParams.values()].map((l) => [l.target.module, l.r])), this.pool('activations')) : null;
    this.acts = this.layers.map((_, i) => shared ?? allocLayerActivations(gpu, cfg, B, T, `layer${i}`, ranks(i), this.pool('activations')));
    this.residual = Array.from({ length: cfg.nLayers + 1 }, (_, i) => buf('activations', `residual${i}`, N * C));
    const maxRank = Math.max(1, ...[...this.loraParams.values()].map((l) => l.r));
    const maxIn = Math.max(C, ...[...this.loraParams.values()].map((l) => l.target.inFeatures));
    this.grad = allocBackwardScratch(gpu, cfg, N, maxRank, maxIn, this.pool('activations'));
    this.lnf = buf('activations', 'lnf', N * C);
    this.lnfMean = cfg.norm === 'layernorm' ? buf('activations', 'lnf.mean', N) : null;
    this.lnfRstd = buf('activations', 'lnf.rstd', N);
    this.logits = buf('activations', 'logits', N * V);
    this.losses = buf('activations', 'losses', N);
    this.lossSum = buf('activations', 'lossSum', 1);
    this.tokens = buf('inputs', 'tokens', N);
    this.targets = buf('inputs', 'targets', N);
    this.positions = buf('inputs', 'positions', N);
    this.segments = buf('inputs', 'segments', N);
    this.invFreq = cfg.positions === 'rope' ? gpu.buffers.fromData(this.pool('inputs'), 'rope.invFreq', ropeInvFreq(cfg)) : null;
    if (opts.kvCap) {
      if (B !== 1) throw new Error('KV-cache decoding runs one sequence at a time (B = 1)');
      const kvW = cfg.nKVHeads * cfg.headDim;
      const cache = (what: string) => Array.from({ length: cfg.nLayers }, (_, l) => buf('kvcache', `${what}${l}`, opts.kvCap! * kvW));
      this.kv = { k: cache('k'), v: cache('v'), segments: buf('kvcache', 'segments', opts.kvCap) };
    }
  }

  private pool(kind: string): string {
    const name = `${kind}#${this.tag}`;
    this.pools.add(name);
    return name;
  }

  /** Free every buffer this model allocated (not the weights, which belong to whoever loaded them). */
  release(): void {
    for (const p of this.pools) this.gpu.buffers.releasePool(p);
    this.pools.clear();
  }

  /** Generate with or without the adapter (the base model alone) without reloading anything. */
  setLoraEnabled(on: boolean): void {
    for (const layer of this.layers)
      for (const lin of layer.linears.values()) lin.lora = on ? (this.loraParams.get(lin.path) ?? null) : null;
  }

  /** Maximum tokens the KV cache holds. */
  get kvCapacity(): number {
    return this.opts.kvCap ?? 0;
  }

  /**
   * Runs `ids` (1 ≤ length ≤ T) through the model after `past` cached tokens, appending their keys/values to the
   * cache; logits of these rows are left in the logits buffer (read them with readLogitsRow).
   */
  decode(rec: Recorder, ids: ArrayLike<number>, past: number): void {
    const kv = this.kv;
    if (!kv) throw new Error('this model was built without a KV cache');
    const { cfg } = this;
    const Tq = ids.length, C = cfg.hidden, V = cfg.vocabSize;
    if (Tq < 1 || Tq > this.opts.T) throw new Error(`decode takes 1..${this.opts.T} tokens at a time, got ${Tq}`);
    if (past + Tq > this.kvCapacity) throw new Error(`the sequence would exceed the KV cache (${this.kvCapacity} tokens)`);
    if (cfg.positions === 'learned' && past + Tq > cfg.maxPositions) throw new Error(`GPT-2 models have ${cfg.maxPositions} positions at most`);
    const tokens = new Uint32Array(Tq), positions = new Uint32Array(Tq);
    for (let i = 0; i < Tq; i++) {
      if (ids[i] < 0 || ids[i] >= V) throw new Error(`token id ${ids[i]} is outside the vocabulary (${V})`);
      tokens[i] = ids[i];
      positions[i] = past + i;
    }
    this.gpu.device.queue.writeBuffer(this.tokens, 0, tokens);
    this.gpu.device.queue.writeBuffer(this.positions, 0, positions);
    const ctx: StepContext = { ...this.context(0), B: 1, T: Tq, kv: { ...kv, past, cap: this.kvCapacity } };
    this.embed(rec, Tq);
    for (let l = 0; l < cfg.nLayers; l++) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
    normForward(rec, ctx, this.lnf, this.lnfMean, this.lnfRstd, this.residual[cfg.nLayers], this.finalNorm, Tq);
    matmul(rec, this.logits, this.lnf, this.head, null, Tq, C, V, { transB: true, bFormat: this.headFormat });
  }

  /** residual[0] (rows, C) = token (+ position) embeddings of the first `rows` tokens/positions uploaded. */
  private embed(rec: Recorder, rows: number): void {
    const gpt2 = this.cfg.arch === 'gpt2';
    const wteName = gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
    const wpeName = 'transformer.wpe.weight';
    const wte = this.weights.get(wteName)!;
    const wpe = gpt2 ? this.weights.get(wpeName)! : null;
    embeddingForward(rec, this.residual[0], this.tokens, wte, wpe, this.positions, rows, this.cfg.hidden, this.cfg.vocabSize, {
      wteFormat: weightFormatOf(this.weights, wteName), wpeFormat: gpt2 ? weightFormatOf(this.weights, wpeName) : 'f32',
    });
  }

  /** Logits of one row (V floats): what sampling needs after decode. */
  async readLogitsRow(row: number): Promise<Float32Array> {
    return readF32(this.gpu.device, this.logits, row * this.cfg.vocabSize, this.cfg.vocabSize);
  }

  /**
   * Upload a batch; returns the number of trained targets after the causal shift. Shorter batches (fewer rows or
   * shorter T) are padded to the allocated (B, T) with ignored targets.
   */
  setBatch(batch: HostBatch, rows: number, T: number): number {
    const { B, T: Tcap } = this.opts;
    if (rows > B || T > Tcap) throw new Error(`batch (${rows}, ${T}) exceeds the allocated (${B}, ${Tcap})`);
    const N = this.N;
    const tokens = new Uint32Array(N), targets = new Int32Array(N).fill(-100), positions = new Uint32Array(N), segments = new Uint32Array(N);
    let count = 0;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < Tcap; t++) {
        const i = b * Tcap + t;
        positions[i] = t;
        segments[i] = b < rows ? 0 : 1;
        if (b >= rows || t >= T) continue;
        const src = b * T + t;
        const id = batch.inputIds[src];
        if (id < 0 || id >= this.cfg.vocabSize) throw new Error(`token id ${id} at row ${b}, position ${t} is outside the vocabulary (${this.cfg.vocabSize})`);
        tokens[i] = id;
        if (batch.positions) positions[i] = batch.positions[src];
        if (batch.segments) segments[i] = batch.segments[src];
        const next = t + 1 < T ? batch.labels[src + 1] : -100;
        // A packed row must not predict across a document boundary.
        const sameDoc = !batch.segments || (t + 1 < T && batch.segments[src + 1] === batch.segments[src]);
        if (next !== -100 && sameDoc) {
          targets[i] = next;
          count++;
        }
      }
    }
    const q = this.gpu.device.queue;
    q.writeBuffer(this.tokens, 0, tokens);
    q.writeBuffer(this.targets, 0, targets);
    q.writeBuffer(this.positions, 0, positions);
    q.writeBuffer(this.segments, 0, segments);
    return count;
  }

  private context(seed: number): StepContext {
    const { B, T } = this.opts;
    return { cfg: this.cfg, B, T, positions: this.positions, segments: this.segments, invFreq: this.invFreq, du: this.grad.du, xDrop: this.grad.xDrop, seed };
  }

  /**
   * Forward (and loss). With `backward`, dlogits replace the logits in place, scaled by lossScale
   * (= 1 / trained targets of the whole optimizer step). lossSum[0] receives Σ per-target loss of this batch.
   */
  forward(rec: Recorder, { backward, lossScale, seed = 0 }: { backward: boolean; lossScale: number; seed?: number }): void {
    const { cfg } = this;
    const N = this.N, C = cfg.hidden, V = cfg.vocabSize;
    const ctx = this.context(seed);
    this.embed(rec, N);
    for (let l = 0; l < cfg.nLayers; l++) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
    normForward(rec, ctx, this.lnf, this.lnfMean, this.lnfRstd, this.residual[cfg.nLayers], this.finalNorm, N);
    matmul(rec, this.logits, this.lnf, this.head, null, N, C, V, { transB: true, bFormat: this.headFormat }); // (N, V) = lnf · headᵀ
    crossEntropyFused(rec, this.losses, this.logits, this.targets, N, V, { backward, lossScale });
    sumLoss(rec, this.lossSum, this.losses, N);
  }

  /** Backward of the batch last forwarded with `backward: true`. Gradients accumulate into `trainable()` grads. */
  backward(rec: Recorder, { seed = 0 }: { seed?: number } = {}): void {
    const { cfg } = this;
    const N = this.N, C = cfg.hidden, V = cfg.vocabSize;
    const ctx = this.context(seed);
    const g = this.grad;
    const dHead = this.dWeights.get(headWeightName(cfg)) ?? null;
    if (dHead) matmul(rec, dHead, this.logits, this.lnf, null, V, N, C, { transA: true, accumulate: true }); // dW (V,C) += dlogitsᵀ·lnf
    matmul(rec, g.dln, this.logits, this.head, null, N, V, C, { bFormat: this.headFormat }); // dlnf (N,C) = dlogits · head
    normBackward(rec, ctx, g.dres, g.dln, this.residual[cfg.nLayers], this.finalNorm, this.lnfMean, this.lnfRstd, N, false);
    for (let l = cfg.nLayers - 1; l >= 0; l--) {
      if (this.opts.recompute) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
      layerBackward(rec, ctx, this.residual[l], this.layers[l], this.acts[l], g);
    }
    const gpt2 = cfg.arch === 'gpt2';
    const dwte = this.dWeights.get(gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight') ?? null;
    const dwpe = gpt2 ? (this.dWeights.get('transformer.wpe.weight') ?? null) : null;
    if (dwte || dwpe) embeddingBackward(rec, dwte, dwpe, g.dres, this.tokens, this.positions, N, C, V);
  }

  /** Zero every gradient accumulator (start of an optimizer step). */
  zeroGrads(rec: Recorder): void {
    for (const t of this.trainable()) fill(rec, t.grad, t.size, 0);
  }

  trainable(): TrainableTensor[] {
    const out: TrainableTensor[] = [];
    for (const l of this.loraParams.values()) {
      out.push({ name: l.target.keyA, param: l.A, grad: l.dA!, size: l.r * l.target.inFeatures, decay: true });
      out.push({ name: l.target.keyB, param: l.B, grad: l.dB!, size: l.target.outFeatures * l.r, decay: true });
    }
    for (const [name, grad] of this.dWeights) {
      out.push({ name, param: this.weights.get(name)!, grad, size: grad.size / 4, decay: !/(norm|ln_\d|ln_f)\.weight$|\.bias$/.test(name) });
    }
    return out;
  }

  async readLossSum(): Promise<number> {
    return (await readF32(this.gpu.device, this.lossSum, 0, 1))[0];
  }

  /** Logits (after a forward without backward) for a row range — used by tests and evaluation. */
  async readLogits(): Promise<Float32Array> {
    return readF32(this.gpu.device, this.logits);
  }
}

/** Upload host weights (logical HF name → f32 values) into the 'weights' pool; matrices stored in `format`. */
export function uploadWeights(gpu: Gpu, host: ReadonlyMap<string, Float32Array>, format: WeightFormat = 'f32'): WeightStore {
  return uploadWeightStore(gpu, host, format, 'weights');
}
