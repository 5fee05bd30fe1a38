/**
 * What `cli serve` serves: one base model loaded once onto the GPU, and any number of PEFT adapters over it, each
 * exposed under its own model name (`base` and `base+adapter`, chosen per request). One decoding model (KV cache +
 * the adapter's LoRA buffers) is held at a time and rebuilt only when a request asks for a different name, exactly as
 * the playground's worker does; the weights are never reloaded.
 *
 * `prepare` does everything that can fail on the request's own account before the request waits for the GPU: the
 * model name (404), the prompt's tokens (chat template via text/prompt.ts, the studio's one owner of prompt encoding
 * and stop tokens) and the context budget (400). `generate` then streams text deltas and reports why it stopped.
 */
import { basename, resolve } from 'node:path';
import type { Gpu } from '../../engine/gpu/device.ts';
import type { Adapter } from '../../engine/adapter/peft.ts';
import type { ModelConfig } from '../../engine/model/config.ts';
import { loadModelWeights, type LoadedWeights } from '../../engine/loadModel.ts';
import { GpuTransformer } from '../../engine/transformer/model.ts';
import { generate } from '../../engine/generate.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { promptIds, stopTokenIds, type Prompt } from '../../text/prompt.ts';
import type { StudioTokenizer } from '../../text/tokenizer.ts';
import { loadDirTokenizer } from '../common.ts';
import { TextStream } from '../commands/generate.ts';
import { ApiError, badRequest } from './errors.ts';
import type { GenerationRequest } from './requests.ts';

export interface ServedModel {
  id: string;
  /** null for the base model. */
  adapter: Adapter | null;
  /** The adapter's directory (for the log and /v1/models). */
  adapterDir: string | null;
}

export interface ServeModelOptions {
  modelDir: string;
  /** The base model's name (default: the directory's name). */
  name?: string;
  adapters: { name: string; dir: string }[];
  /** A chat template (Jinja) for chat requests instead of the tokenizer's own. */
  template?: string;
  /** Most tokens of prompt + completion (default and maximum: what the model supports). */
  context?: number;
}

/** A request checked against the model and tokenized, ready to wait for the GPU. */
export interface Prepared {
  model: ServedModel;
  inputIds: number[];
  eosIds: number[];
  maxTokens: number;
  stop: string[];
  sampling: { temperature: number; topP: number; topK: number };
  seed: number;
}

export type FinishReason = 'stop' | 'length';

export interface Finished {
  finishReason: FinishReason;
  /** Tokens sampled (an end-of-sequence token included, as it was generated). */
  completionTokens: number;
  text: string;
}

const ADAPTER_NAME = /^[A-Za-z0-9._-]+$/;

export class ServeModels {
  readonly models = new Map<string, ServedModel>();
  private generator: { id: string; net: GpuTransformer } | null = null;

  private constructor(
    readonly gpu: Gpu,
    readonly config: ModelConfig,
    readonly weights: LoadedWeights,
    readonly tokenizer: StudioTokenizer,
    readonly generationConfig: unknown,
    readonly context: number,
    readonly template: string | undefined,
    readonly baseId: string,
  ) {}

  /** Reads and checks every directory first (a bad model or adapter fails before the GPU is touched), then loads the weights. */
  static async open(acquireGpu: () => Promise<Gpu>, opts: ServeModelOptions): Promise<ServeModels> {
    const dir = await openModelDir(opts.modelDir);
    const baseId = opts.name ?? basename(resolve(opts.modelDir));
    if (!baseId || /\s/.test(baseId)) throw new Error(`--name must be a non-empty name without spaces, got ${JSON.stringify(baseId)}`);
    const adapters: ServedModel[] = [];
    for (const a of opts.adapters) {
      if (!ADAPTER_NAME.test(a.name)) throw new Error(`--adapter NAME=DIR: the name may use letters, digits, ".", "_" and "-", got ${JSON.stringify(a.name)}`);
      const id = `${baseId}+${a.name}`;
      if (adapters.some((x) => x.id === id)) throw new Error(`--adapter: the name "${a.name}" is used twice`);
      adapters.push({ id, adapter: readAdapterDir(a.dir, dir.config), adapterDir: resolve(a.dir) });
    }
    const tokenizer = await loadDirTokenizer(opts.modelDir);
    const limit = dir.config.maxTrainLength;
    if (opts.context !== undefined && opts.context > limit) throw new Error(`--context ${opts.context} is more than this model supports (${limit})`);
    const context = opts.context ?? limit;
    const gpu = await acquireGpu();
    const weights = await loadModelWeights(gpu, dir.config, { source: dir.source });
    const served = new ServeModels(gpu, dir.config, weights, tokenizer, dir.generationConfig, context, opts.template, baseId);
    served.models.set(baseId, { id: baseId, adapter: null, adapterDir: null });
    for (const a of adapters) served.models.set(a.id, a);
    return served;
  }

  /** Checks and tokenizes a request (throws an ApiError: 404 unknown model, 400 bad prompt or over the context). */
  prepare(req: GenerationRequest): Prepared {
    const model = this.models.get(req.model);
    if (!model) throw new ApiError(404, `The model \`${req.model}\` does not exist. Served here: ${[...this.models.keys()].join(', ')}`, 'model', 'model_not_found');
    let prompt: Prompt | null = null;
    let inputIds: number[];
    if (req.kind === 'chat') {
      prompt = { kind: 'chat', messages: req.messages, ...(this.template !== undefined ? { template: this.template } : {}) };
      if (this.template === undefined && !this.tokenizer.chatTemplate)
        throw badRequest('this model has no chat template: use /v1/completions, or restart the server with --template', 'messages');
      try {
        inputIds = promptIds(this.tokenizer, prompt);
      } catch (e) {
        throw badRequest(`the chat template could not render these messages: ${(e as Error).message}`, 'messages');
      }
    } else if (typeof req.prompt === 'string') {
      prompt = { kind: 'text', text: req.prompt };
      inputIds = promptIds(this.tokenizer, prompt);
    } else {
      const bad = req.prompt.find((id) => id >= this.config.vocabSize);
      if (bad !== undefined) throw badRequest(`token id ${bad} is outside the vocabulary (${this.config.vocabSize})`, 'prompt');
      inputIds = req.prompt;
    }
    if (inputIds.length === 0) throw badRequest('the prompt is empty', req.kind === 'chat' ? 'messages' : 'prompt');
    const room = this.context - inputIds.length;
    const what = req.kind === 'chat' ? 'messages' : 'prompt';
    if (req.maxTokens !== null && inputIds.length + req.maxTokens > this.context) {
      throw badRequest(
        `This model's maximum context length is ${this.context} tokens. However, you requested ${inputIds.length + req.maxTokens} tokens ` +
          `(${inputIds.length} in the ${what}, ${req.maxTokens} in the completion). Please reduce the length of the ${what} or max_tokens.`,
        what, 'context_length_exceeded');
    }
    if (room < 1) {
      throw badRequest(`This model's maximum context length is ${this.context} tokens and the ${what} alone is ${inputIds.length}: no room for a completion.`, what, 'context_length_exceeded');
    }
    const textPrompt: Prompt = prompt ?? { kind: 'text', text: '' };
    return {
      model, inputIds,
      eosIds: req.ignoreEos ? [] : stopTokenIds(this.tokenizer, textPrompt, { configEos: this.config.eosTokenIds, generationConfig: this.generationConfig }),
      maxTokens: req.maxTokens ?? room,
      stop: req.stop,
      sampling: { temperature: req.temperature, topP: req.topP, topK: req.topK },
      seed: req.seed ?? (Math.random() * 2 ** 32) >>> 0,
    };
  }

  /**
   * Generates for a prepared request, calling `onText` with each new piece of text (never the part of a stop string,
   * never half a character). Throws the signal's reason when `signal` aborts (between two tokens).
   */
  async generate(p: Prepared, signal: AbortSignal, onText: (delta: string) => void): Promise<Finished> {
    const net = this.generatorFor(p.model);
    const decode = (ids: number[]) => this.tokenizer.decode(ids, { skipSpecialTokens: true });
    const stream = new TextStream(decode, p.stop);
    const ids: number[] = [];
    let text = '';
    let finishReason: FinishReason = 'length';
    let sampled = 0;
    for await (const t of generate(net, p.inputIds, {
      ...p.sampling, maxNewTokens: p.maxTokens, eosIds: p.eosIds, seed: p.seed, signal,
      stopStrings: p.stop.length ? p.stop : undefined, decode,
    })) {
      sampled++;
      if (t.stop !== 'eos') ids.push(t.id);
      if (t.stop === 'eos' || t.stop === 'stop-string') finishReason = 'stop';
      const delta = stream.next(ids, t.stop !== undefined);
      if (delta) {
        text += delta;
        onText(delta);
      }
    }
    // The loop also ends without a stop mark when the KV cache is full: 'length', with what was held back flushed.
    const rest = stream.next(ids, true);
    if (rest) {
      text += rest;
      onText(rest);
    }
    return { finishReason, completionTokens: sampled, text };
  }

  private generatorFor(model: ServedModel): GpuTransformer {
    if (this.generator?.id === model.id) return this.generator.net;
    this.generator?.net.release();
    this.generator = null;
    const a = model.adapter;
    const net = new GpuTransformer(this.gpu, this.config, this.weights.weights, {
      B: 1, T: Math.min(64, this.context), kvCap: this.context,
      lora: a ? { targets: a.targets, values: a.values, dropout: 0 } : null,
    });
    this.generator = { id: model.id, net };
    return net;
  }

  release(): void {
    this.generator?.net.release();
    this.generator = null;
    this.gpu.buffers.releasePool(this.weights.pool);
  }
}
