/**
 * The GPU transformer: weights, LoRA parameters, activations and the forward/backward of a whole (B, T) batch, all
 * recorded into one command buffer per step. The model knows nothing of optimisation: it exposes its trainable
 * tensors and their gradients (`trainable()`), and the trainer owns AdamW, schedules and accumulation.
 *
 * Loss is Hugging Face's: logits at t predict labels[t+1]; positions whose (shifted) label is −100 contribute
 * nothing; the mean is over every non-ignored target of the optimizer step (so micro-batches sum exactly to it).
 *
 * The LM head runs a chunk of rows at a time (memory.ts logitsChunkRows): one (rows × V) logits buffer is reused, so
 * (tokens × vocabulary) never needs one binding (Gemma 3's V = 262144 at 2048 tokens would be 2 GiB). Per chunk:
 * logits = lnf rows · headᵀ, fused cross-entropy (dlogits in place when training), and at once the head's backward
 * for those rows (dlnf rows = dlogits · head, dHead += dlogitsᵀ · lnf rows). Every row's loss, logits and dlnf are
 * computed exactly as unchunked; only dHead (full-parameter mode) sums its rows in chunk order.
 */
import type { Gpu } from '../gpu/device';
import type { Recorder } from '../gpu/recorder';
import { readF32 } from '../gpu/buffers';
import { StagingReads } from '../gpu/readback';
import type { ModelConfig } from '../model/config';
import { ropeInvFreq, type RopeSpec } from '../model/config';
import {
  embedWeightName, finalNormName, headWeightName, isNormOrBias, linearModules, normName, positionEmbedWeightName,
  qkNormNames, qkNormWidths,
} from '../model/tensors';
import type { LoraTarget } from '../model/lora';
import { matmul } from '../kernels/matmul';
import { linearProduct } from '../kernels/matvec';
import { sampleToken, type SampleCall } from '../kernels/sample';
import { embeddingForward, embeddingBackward } from '../kernels/embedding';
import { crossEntropyFused, sumLoss } from '../kernels/cross_entropy';
import { fill } from '../kernels/fill';
import { allocBackwardScratch, allocLayerActivations, allocSizes, modelActivationSizes, type BackwardScratch, type LayerActivations, type NormActs } from './activations';
import { logitsChunkRows } from './memory';
import { layerBackward, layerForward, normBackward, normForward, type LayerWeights, type Norm, type StepContext } from './layers';
import type { LoraParams } from './linear';
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
  /**
   * Rows of logits computed at a time (default: all B·T when they fit one binding and 256 MiB, else equal chunks that
   * do; see memory.ts). B·T keeps every row's logits readable after a forward (readLogits).
   */
  logitsRows?: number;
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
  /** Rows of logits per LM-head chunk (the logits buffer holds this many). */
  readonly logitsRows: number;
  readonly layers: LayerWeights[] = [];
  readonly loraParams = new Map<string, LoraParams & { target: LoraTarget }>();
  private readonly acts: LayerActivations[];
  private readonly residual: GPUBuffer[]; // L+1 of (N, C)
  private readonly grad: BackwardScratch;
  private readonly finalNorm: Norm;
  private readonly lnf: NormActs;
  private readonly logits: GPUBuffer;
  /** Rows whose logits (or dlogits) the logits buffer holds after the last forward/decode: the last chunk's. */
  private held: { start: number; rows: number } | null = null;
  /** Per-token losses (N floats) of the last forward, 0 where the target is ignored (the trainer's loss split reads them). */
  readonly losses: GPUBuffer;
  readonly lossSum: GPUBuffer;
  private readonly tokens: GPUBuffer;
  private readonly targets: GPUBuffer;
  private readonly positions: GPUBuffer;
  private readonly segments: GPUBuffer;
  private readonly dWeights = new Map<string, GPUBuffer>();
  private readonly head: GPUBuffer;
  /** Full-parameter tensors without weight decay (norm weights, biases). */
  private readonly normOrBias: Set<string>;
  private readonly headFormat: WeightFormat;
  private readonly kv: { k: GPUBuffer[]; v: GPUBuffer[]; segments: GPUBuffer } | null = null;
  /** Ids sampled on the GPU, one slot per generated token (kvCap slots; KV-cache models only). */
  readonly sampledIds: GPUBuffer | null = null;
  /** Staging buffers for readSampled, reused token after token. */
  private readonly sampledReads: StagingReads | null = null;
  /** Positions of the tokens a decoding step runs (host scratch, reused). */
  private readonly decodePositions: Uint32Array;
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
    this.logitsRows = logitsChunkRows(N, V, gpu.device.limits, opts.logitsRows);
    gpu.checkBinding(`The logits (${this.logitsRows} rows × vocabulary ${V})`, f32(this.logitsRows * V));
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
    const ln = cfg.norm === 'layernorm';
    const norm = (prefix: string | null, width = C): Norm | null => prefix === null ? null : {
      weight: need(`${prefix}.weight`, true),
      bias: ln ? need(`${prefix}.bias`, true) : null,
      dWeight: dW(`${prefix}.weight`, width),
      dBias: ln ? dW(`${prefix}.bias`, width) : null,
      width,
    };

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

    // One inverse-frequency table per distinct RoPE (Gemma 3: local and global layers differ; NoPE layers: none).
    const invFreqs = new Map<string, GPUBuffer>();
    const invFreqOf = (rope: RopeSpec | null) => {
      if (!rope) return null;
      const key = JSON.stringify(rope);
      if (!invFreqs.has(key)) invFreqs.set(key, gpu.buffers.fromData(this.pool('inputs'), `rope.invFreq${invFreqs.size}`, ropeInvFreq(cfg, rope)));
      return invFreqs.get(key)!;
    };
    const qkW = qkNormWidths(cfg);
    for (let i = 0; i < cfg.nLayers; i++) {
      const qk = qkNormNames(cfg, i);
      this.layers.push({
        index: i,
        attnIn: norm(normName(cfg, i, 'attnIn')), attnOut: norm(normName(cfg, i, 'attnOut')),
        mlpIn: norm(normName(cfg, i, 'mlpIn')), mlpOut: norm(normName(cfg, i, 'mlpOut')),
        qNorm: qk ? norm(qk.q, qkW.q) : null, kNorm: qk ? norm(qk.k, qkW.k) : null,
        linears: new Map(),
        invFreq: invFreqOf(cfg.layers[i].rope),
        window: cfg.layers[i].window ?? 0,
      });
    }
    for (const m of linearModules(cfg)) {
      this.layers[m.layer].linears.set(m.role, {
        path: m.path, inF: m.inFeatures, outF: m.outFeatures, layout: m.layout,
        weight: need(m.weight), weightFormat: formatOf(m.weight), bias: m.bias ? need(m.bias, true) : null,
        dWeight: dW(m.weight, m.inFeatures * m.outFeatures), dBias: m.bias ? dW(m.bias, m.outFeatures) : null,
        lora: this.loraParams.get(m.path) ?? null,
      });
    }
    this.finalNorm = norm(finalNormName(cfg))!;
    this.head = need(headWeightName(cfg));
    this.headFormat = formatOf(headWeightName(cfg));
    const embName = embedWeightName(cfg), wpeName = positionEmbedWeightName(cfg);
    need(embName);
    dW(embName, V * C);
    if (wpeName) {
      need(wpeName);
      dW(wpeName, cfg.maxPositions * C);
    }
    if (!cfg.tieEmbeddings) dW('lm_head.weight', V * C);
    this.normOrBias = new Set([...this.dWeights.keys()].filter((n) => isNormOrBias(cfg, n)));

    // Activations
    const ranks = (layer: number) => new Map([...this.loraParams.values()].filter((l) => l.target.layer === layer).map((l) => [l.target.module, l.r]));
    const shared = opts.recompute ? allocLayerActivations(gpu, cfg, B, T, 'layer*', new Map([...this.loraParams.values()].map((l) => [l.target.module, l.r])), this.pool('activations')) : null;
    this.acts = this.layers.map((_, i) => shared ?? allocLayerActivations(gpu, cfg, B, T, `layer${i}`, ranks(i), this.pool('activations')));
    const top = allocSizes(gpu, this.pool('activations'), '', modelActivationSizes(cfg, N, this.logitsRows));
    this.residual = Array.from({ length: cfg.nLayers + 1 }, (_, i) => top.get(`residual${i}`)!);
    const maxRank = Math.max(1, ...[...this.loraParams.values()].map((l) => l.r));
    const maxIn = Math.max(C, ...[...this.loraParams.values()].map((l) => l.target.inFeatures));
    this.grad = allocBackwardScratch(gpu, cfg, N, maxRank, maxIn, this.pool('activations'));
    this.lnf = { out: top.get('lnf')!, mean: top.get('lnf.mean') ?? null, rstd: top.get('lnf.rstd')! };
    this.logits = top.get('logits')!;
    this.losses = top.get('losses')!;
    this.lossSum = top.get('lossSum')!;
    this.tokens = buf('inputs', 'tokens', N);
    this.targets = buf('inputs', 'targets', N);
    this.positions = buf('inputs', 'positions', N);
    this.segments = buf('inputs', 'segments', N);
    if (opts.kvCap) {
      if (B !== 1) throw new Error('KV-cache decoding runs one sequence at a time (B = 1)');
      const kvW = cfg.nKVHeads * cfg.headDim;
      const cache = (what: string) => Array.from({ length: cfg.nLayers }, (_, l) => buf('kvcache', `${what}${l}`, opts.kvCap! * kvW));
      this.kv = { k: cache('k'), v: cache('v'), segments: buf('kvcache', 'segments', opts.kvCap) };
      this.sampledIds = buf('kvcache', 'sampledIds', opts.kvCap);
      this.sampledReads = new StagingReads(gpu.device, 4);
    }
    this.decodePositions = new Uint32Array(opts.kvCap ? T : 0);
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
    this.sampledReads?.destroy();
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
    const Tq = ids.length, V = cfg.vocabSize;
    if (Tq < 1 || Tq > this.opts.T) throw new Error(`decode takes 1..${this.opts.T} tokens at a time, got ${Tq}`);
    if (past + Tq > this.kvCapacity) throw new Error(`the sequence would exceed the KV cache (${this.kvCapacity} tokens)`);
    if (cfg.positions === 'learned' && past + Tq > cfg.maxPositions) throw new Error(`this model has ${cfg.maxPositions} learned positions at most`);
    const tokens = new Uint32Array(Tq);
    for (let i = 0; i < Tq; i++) {
      if (ids[i] < 0 || ids[i] >= V) throw new Error(`token id ${ids[i]} is outside the vocabulary (${V})`);
      tokens[i] = ids[i];
    }
    this.gpu.device.queue.writeBuffer(this.tokens, 0, tokens);
    this.decodeRows(rec, Tq, past);
  }

  /**
   * One decoding step whose token is already on the GPU: the id `sample` last wrote to tokens[0]. The host never
   * sees the token before the step is recorded, so the next step can be queued while the last id is read back.
   */
  decodeSampled(rec: Recorder, past: number): void {
    if (!this.kv) throw new Error('this model was built without a KV cache');
    if (past + 1 > this.kvCapacity) throw new Error(`the sequence would exceed the KV cache (${this.kvCapacity} tokens)`);
    if (this.cfg.positions === 'learned' && past + 1 > this.cfg.maxPositions) throw new Error(`this model has ${this.cfg.maxPositions} learned positions at most`);
    this.decodeRows(rec, 1, past);
  }

  /** Sample the next token from a held logits row on the GPU: into sampledIds[slot] and tokens[0] (see kernels/sample.ts). */
  sample(rec: Recorder, row: number, call: SampleCall & { slot: number }): void {
    if (!this.sampledIds) throw new Error('this model was built without a KV cache');
    if (call.slot >= this.kvCapacity) throw new Error(`sample slot ${call.slot} is outside the ${this.kvCapacity} slots`);
    const h = this.heldRow(row);
    sampleToken(rec, this.sampledIds, this.tokens, this.logits, this.cfg.vocabSize, { ...call, offset: (row - h.start) * this.cfg.vocabSize });
  }

  /** The id `sample` wrote to `slot` (waits for the GPU). */
  async readSampled(slot: number): Promise<number> {
    if (!this.sampledIds) throw new Error('this model was built without a KV cache');
    return new Uint32Array(await this.sampledReads!.read(this.sampledIds, slot * 4))[0];
  }

  /** The decoding forward of the Tq tokens in tokens[0..Tq) at positions past.. (logits of those rows held). */
  private decodeRows(rec: Recorder, Tq: number, past: number): void {
    const kv = this.kv!;
    const { cfg } = this;
    const positions = this.decodePositions;
    for (let i = 0; i < Tq; i++) positions[i] = past + i;
    this.gpu.device.queue.writeBuffer(this.positions, 0, positions, 0, Tq);
    const ctx: StepContext = { ...this.context(0), B: 1, T: Tq, kv: { ...kv, past, cap: this.kvCapacity } };
    this.embed(rec, Tq);
    for (let l = 0; l < cfg.nLayers; l++) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
    normForward(rec, cfg, this.lnf, this.residual[cfg.nLayers], this.finalNorm, Tq);
    for (let r0 = 0; r0 < Tq; r0 += this.logitsRows) this.headLogits(rec, r0, Math.min(this.logitsRows, Tq - r0));
  }

  /** logits (rows, V) = lnf rows [r0, r0 + rows) · headᵀ; the logits buffer then holds those rows. */
  private headLogits(rec: Recorder, r0: number, rows: number): void {
    const C = this.cfg.hidden, V = this.cfg.vocabSize;
    linearProduct(rec, this.logits, this.lnf.out, this.head, null, rows, C, V, { transB: true, bFormat: this.headFormat, aOffset: r0 * C });
    this.held = { start: r0, rows };
  }

  /** residual[0] (rows, C) = token (+ position) embeddings of the first `rows` tokens/positions uploaded. */
  private embed(rec: Recorder, rows: number): void {
    const wteName = embedWeightName(this.cfg), wpeName = positionEmbedWeightName(this.cfg);
    const wte = this.weights.get(wteName)!;
    const wpe = wpeName ? this.weights.get(wpeName)! : null;
    embeddingForward(rec, this.residual[0], this.tokens, wte, wpe, this.positions, rows, this.cfg.hidden, this.cfg.vocabSize, {
      wteFormat: weightFormatOf(this.weights, wteName), wpeFormat: wpeName ? weightFormatOf(this.weights, wpeName) : 'f32',
      scale: this.cfg.embedScale,
    });
  }

  /**
   * Logits of one row (V floats): what sampling needs after decode (the last row is always held). Only the last
   * chunk's rows are held after a chunked forward; another row is an error.
   */
  async readLogitsRow(row: number): Promise<Float32Array> {
    const h = this.heldRow(row);
    return readF32(this.gpu.device, this.logits, (row - h.start) * this.cfg.vocabSize, this.cfg.vocabSize);
  }

  private heldRow(row: number): { start: number; rows: number } {
    const h = this.held;
    if (!h || row < h.start || row >= h.start + h.rows) {
      throw new Error(`The logits of row ${row} are not held: the LM head runs ${this.logitsRows} rows at a time and the buffer holds ${h ? `rows ${h.start}..${h.start + h.rows - 1}` : 'none yet'}.`);
    }
    return h;
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
    return { cfg: this.cfg, B, T, positions: this.positions, segments: this.segments, du: this.grad.du, xDrop: this.grad.xDrop, seed };
  }

  /**
   * Forward (and loss), the LM head a chunk of rows at a time. With `backward`, each chunk's dlogits (scaled by
   * lossScale = 1 / trained targets of the whole optimizer step) go straight through the head's backward: dlnf into
   * the gradient scratch and, in full-parameter mode, dHead += dlogitsᵀ · lnf — so a `backward: true` forward must be
   * followed by backward(). lossSum[0] receives Σ per-target loss of this batch.
   */
  forward(rec: Recorder, { backward, lossScale, seed = 0 }: { backward: boolean; lossScale: number; seed?: number }): void {
    const { cfg } = this;
    const N = this.N, C = cfg.hidden, V = cfg.vocabSize;
    const ctx = this.context(seed);
    this.embed(rec, N);
    for (let l = 0; l < cfg.nLayers; l++) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
    normForward(rec, cfg, this.lnf, this.residual[cfg.nLayers], this.finalNorm, N);
    const dHead = backward ? (this.dWeights.get(headWeightName(cfg)) ?? null) : null;
    for (let r0 = 0; r0 < N; r0 += this.logitsRows) {
      const rows = Math.min(this.logitsRows, N - r0);
      this.headLogits(rec, r0, rows); // (rows, V) = lnf rows · headᵀ
      crossEntropyFused(rec, this.losses, this.logits, this.targets, rows, V, { backward, lossScale, rowOffset: r0 });
      if (!backward) continue;
      // dW (V,C) += dlogitsᵀ · lnf rows; dlnf rows (rows,C) = dlogits · head
      if (dHead) matmul(rec, dHead, this.logits, this.lnf.out, null, V, rows, C, { transA: true, accumulate: true, bOffset: r0 * C });
      matmul(rec, this.grad.dln, this.logits, this.head, null, rows, V, C, { bFormat: this.headFormat, outOffset: r0 * C });
    }
    sumLoss(rec, this.lossSum, this.losses, N);
  }

  /**
   * Backward of the batch last forwarded with `backward: true` (which already ran the LM head's backward, leaving
   * dlnf in the scratch). Gradients accumulate into `trainable()` grads.
   */
  backward(rec: Recorder, { seed = 0 }: { seed?: number } = {}): void {
    const { cfg } = this;
    const N = this.N, C = cfg.hidden, V = cfg.vocabSize;
    const ctx = this.context(seed);
    const g = this.grad;
    normBackward(rec, cfg, g.dres, g.dln, this.residual[cfg.nLayers], this.finalNorm, this.lnf, N, false);
    for (let l = cfg.nLayers - 1; l >= 0; l--) {
      if (this.opts.recompute) layerForward(rec, ctx, this.residual[l + 1], this.residual[l], this.layers[l], this.acts[l]);
      layerBackward(rec, ctx, this.residual[l], this.layers[l], this.acts[l], g);
    }
    const wpeName = positionEmbedWeightName(cfg);
    const dwte = this.dWeights.get(embedWeightName(cfg)) ?? null;
    const dwpe = wpeName ? (this.dWeights.get(wpeName) ?? null) : null;
    if (dwte || dwpe) embeddingBackward(rec, dwte, dwpe, g.dres, this.tokens, this.positions, N, C, V, { scale: cfg.embedScale });
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
      out.push({ name, param: this.weights.get(name)!, grad, size: grad.size / 4, decay: !this.normOrBias.has(name) });
    }
    return out;
  }

  async readLossSum(): Promise<number> {
    return (await readF32(this.gpu.device, this.lossSum, 0, 1))[0];
  }

  /**
   * Every row's logits (N × V) after a forward without backward — for tests and evaluation. Needs the logits in one
   * chunk: build the model with `logitsRows: B·T` (where that fits one binding) to read them all.
   */
  async readLogits(): Promise<Float32Array> {
    if (this.logitsRows < this.N) {
      throw new Error(`The logits are computed ${this.logitsRows} rows at a time (of ${this.N}); only the last chunk is held. Build the model with logitsRows: ${this.N} to read them all, or read rows with readLogitsRow.`);
    }
    return readF32(this.gpu.device, this.logits);
  }
}

/** Upload host weights (logical HF name → f32 values) into the 'weights' pool; matrices stored in `format`. */
export function uploadWeights(gpu: Gpu, host: ReadonlyMap<string, Float32Array>, format: WeightFormat = 'f32'): WeightStore {
  return uploadWeightStore(gpu, host, format, 'weights');
}
