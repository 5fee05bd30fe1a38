/**
 * What the engine Worker holds between requests: the device, the loaded model (weights + tokenizer), the adapters
 * of finished runs (so the playground can compare base vs adapter and export any of them), and a generation model
 * built lazily per adapter. A model load replaces the previous model only once it has fully succeeded.
 */
import type { Gpu } from '../engine/gpu/device';
import { parseModelConfig, type ModelConfig } from '../engine/model/config';
import { loadModelWeights, type LoadedWeights } from '../engine/loadModel';
import type { LoadProgress } from '../engine/io/stream';
import type { CheckpointSource } from '../engine/io/checkpoint';
import { ModelCache } from '../engine/io/cache';
import { GpuTransformer } from '../engine/transformer/model';
import type { LoraConfig, LoraTarget } from '../engine/model/lora';
import { loadTokenizer, type StudioTokenizer } from '../text/tokenizer';
import { resolveSource } from './sources';
import type { ModelInfo, ModelSourceSpec } from './protocol';

export interface HeldAdapter {
  config: LoraConfig;
  targets: LoraTarget[];
  values: Map<string, Float32Array>;
}

export interface LoadedModel {
  info: ModelInfo;
  config: ModelConfig;
  weights: LoadedWeights;
  tokenizer: StudioTokenizer;
  /** Where the weights came from and the config.json as read: exports re-read the checkpoint tensor by tensor. */
  checkpoint?: CheckpointSource;
  configJson?: unknown;
  /** SentencePiece's tokenizer.model when the source had one (local files), for GGUF export. */
  tokenizerModel?: Uint8Array | null;
}

export class Session {
  model: LoadedModel | null = null;
  readonly adapters = new Map<string, HeldAdapter>();
  private generator: { key: string | null; net: GpuTransformer } | null = null;

  constructor(readonly gpu: Gpu) {}

  async load(source: ModelSourceSpec, signal: AbortSignal, onProgress: (p: LoadProgress) => void): Promise<ModelInfo> {
    const started = performance.now();
    const resolved = await resolveSource(source, signal);
    const config = parseModelConfig(resolved.configJson);
    const tokenizer = await loadTokenizer({ tokenizerJson: resolved.tokenizerJson, tokenizerConfig: resolved.tokenizerConfig });
    const cache = resolved.checkpoint.kind === 'hub' ? await ModelCache.open() : null; // weights: committed when complete
    const weights = await loadModelWeights(this.gpu, config, { source: resolved.checkpoint, signal, onProgress, cache });
    // Matrices are f16 on a shader-f16 device (half the memory), f32 otherwise: report what is really on the GPU.
    const info: ModelInfo = {
      name: resolved.name, config, params: weights.params, weightBytes: weights.gpuBytes, weightFormat: weights.format, loadSeconds: (performance.now() - started) / 1000,
      tokenizerJson: resolved.tokenizerJson, tokenizerConfig: resolved.tokenizerConfig, generationConfig: resolved.generationConfig,
    };
    // Success: only now retire the previous model, its generator and its adapters (they belong to that model).
    this.dropGenerator();
    if (this.model) this.gpu.buffers.releasePool(this.model.weights.pool);
    this.adapters.clear();
    this.model = { info, config, weights, tokenizer, checkpoint: resolved.checkpoint, configJson: resolved.configJson, tokenizerModel: resolved.tokenizerModel ?? null };
    await resolved.commit?.();
    return info;
  }

  requireModel(): LoadedModel {
    if (!this.model) throw new Error('Load a model first.');
    return this.model;
  }

  /** A decoding model carrying `adapterId`'s LoRA (or none), reused while the adapter stays the same. */
  generatorFor(adapterId: string | null): GpuTransformer {
    const m = this.requireModel();
    const held = adapterId ? this.adapters.get(adapterId) : null;
    if (adapterId && !held) throw new Error(`No adapter for run ${adapterId} is loaded.`);
    if (this.generator?.key === adapterId) return this.generator.net;
    this.dropGenerator();
    const kvCap = Math.min(m.config.maxTrainLength, 1024);
    const net = new GpuTransformer(this.gpu, m.config, m.weights.weights, {
      B: 1, T: 32, kvCap,
      lora: held ? { targets: held.targets, values: held.values, dropout: 0 } : null,
    });
    this.generator = { key: adapterId, net };
    return net;
  }

  dropGenerator(): void {
    this.generator?.net.release();
    this.generator = null;
  }
}
