/**
 * `generate`: sample a continuation from a local model (optionally with a PEFT adapter) with the KV cache, streaming
 * the text to stdout as tokens arrive. Stops at --max-tokens, a stop token (text/prompt.ts: EOS ids and the chat
 * template's end-of-turn token) or a --stop string (which is not printed). A summary line goes to stderr.
 */
import { optionalString, parseArgs, requireString } from '../args.ts';
import { checkFlags, intFlag, loadDirTokenizer, positiveFlag, rangeFlag, resolveTemplate, seedFlag, switchFlag } from '../common.ts';
import { onInterrupt } from '../signals.ts';
import { TEMPLATE_PRESETS } from '../../data/templates.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { loadModelWeights } from '../../engine/loadModel.ts';
import { GpuTransformer } from '../../engine/transformer/model.ts';
import { generate, type GeneratedToken } from '../../engine/generate.ts';
import { chatPrompt, promptIds, stopTokenIds, type Prompt } from '../../text/prompt.ts';

export const summary = 'stream a completion from a model, optionally with a LoRA adapter (--model [--adapter] --prompt)';

const HELP = `Usage: npm run cli -- generate --model DIR [--adapter DIR] --prompt TEXT [options]
  --model DIR          config.json + *.safetensors + tokenizer.json + tokenizer_config.json
  --adapter DIR        a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) to apply
  --prompt TEXT        the prompt (raw text, tokenized with the tokenizer's special tokens, e.g. BOS)
  --chat               wrap the prompt as a user message in the chat template, with the generation prompt
                       (the rendered text is tokenized as is: no special tokens added again)
  --system TEXT        system message (with --chat)
  --template NAME|FILE chat template preset (${TEMPLATE_PRESETS.map((p) => p.id).join(', ')}) or Jinja file; default: the tokenizer's
  --max-tokens N       most tokens to generate (default 128)
  --temperature X      0 = greedy (default 0.7)
  --top-k N            keep the N most likely tokens, 0 = off (default 50)
  --top-p X            nucleus sampling, 1 = off (default 0.9)
  --seed N             sampling seed (default 0)
  --stop STR           stop when the text contains STR (not printed)
Generation also stops at the model's end-of-sequence tokens: generation_config.json's eos_token_id, config.json's,
the tokenizer's EOS and, with --chat, the template's end-of-turn token (<|im_end|>, <end_of_turn>, <|end|>, …).
Prints the text only on stdout; a summary (tokens, why it stopped, speed) goes to stderr.`;

const KNOWN = ['help', 'model', 'adapter', 'prompt', 'chat', 'system', 'template', 'max-tokens', 'temperature', 'top-k', 'top-p', 'seed', 'stop'];

/**
 * Incremental detokenisation: decode everything generated so far and return only the new text, holding back what is
 * not final yet — an incomplete UTF-8 sequence (U+FFFD at the end) and any tail that could be the start of a stop
 * string — and cutting at a stop string.
 */
export class TextStream {
  private emitted = 0;
  constructor(
    private readonly decode: (ids: number[]) => string,
    private readonly stops: string[],
  ) {}

  next(ids: number[], final: boolean): string {
    const text = this.decode(ids);
    let end = text.length;
    for (const s of this.stops) {
      const at = text.indexOf(s);
      if (at >= 0) end = Math.min(end, at);
    }
    if (!final && end === text.length) {
      while (end > this.emitted && text[end - 1] === '\uFFFD') end--;
      for (const s of this.stops)
        for (let k = Math.min(s.length - 1, end - this.emitted); k > 0; k--)
          if (text.slice(end - k, end) === s.slice(0, k)) {
            end -= k;
            break;
          }
    }
    if (end <= this.emitted) return '';
    const out = text.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'generate');
  const modelPath = requireString(p, 'model');
  const prompt = requireString(p, 'prompt');
  const chat = switchFlag(p, 'chat');
  const system = optionalString(p, 'system');
  const templateArg = optionalString(p, 'template');
  if (!chat && (system !== undefined || templateArg !== undefined)) throw new Error('--system and --template apply to --chat prompts; add --chat');
  const maxTokens = intFlag(p, 'max-tokens', 128, 1);
  const sampling = {
    temperature: rangeFlag(p, 'temperature', 0.7, 0),
    topK: intFlag(p, 'top-k', 50, 0),
    topP: positiveFlag(p, 'top-p', 0.9),
  };
  if (sampling.topP > 1) throw new Error(`--top-p must be in (0, 1], got ${sampling.topP}`);
  const seed = seedFlag(p, 0);
  const stop = optionalString(p, 'stop');
  if (stop === '') throw new Error('--stop needs a non-empty string');

  const model = await openModelDir(modelPath);
  const adapterPath = optionalString(p, 'adapter');
  const adapter = adapterPath === undefined ? null : readAdapterDir(adapterPath, model.config);
  const tokenizer = await loadDirTokenizer(modelPath);
  // Tokenized and stopped exactly as the playground does (text/prompt.ts).
  const request: Prompt = chat ? chatPrompt(prompt, { system, template: resolveTemplate(templateArg) }) : { kind: 'text', text: prompt };
  if (request.kind === 'chat' && request.template === undefined && !tokenizer.chatTemplate)
    throw new Error('this tokenizer has no chat template; pass --template NAME|FILE or drop --chat');
  const inputIds = promptIds(tokenizer, request);
  if (inputIds.length === 0) throw new Error('the prompt is empty');
  const cfg = model.config;
  const limit = cfg.maxTrainLength;
  if (inputIds.length >= limit) throw new Error(`the prompt is ${inputIds.length} tokens; this model's context is ${limit}`);
  const kvCap = Math.min(limit, inputIds.length + maxTokens);
  const eosIds = stopTokenIds(tokenizer, request, { configEos: cfg.eosTokenIds, generationConfig: model.generationConfig });

  const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
  const { weights } = await loadModelWeights(gpu, cfg, { source: model.source });
  const net = new GpuTransformer(gpu, cfg, weights, {
    B: 1, T: Math.min(64, cfg.maxTrainLength, kvCap), kvCap,
    lora: adapter ? { targets: adapter.targets, values: adapter.values, dropout: 0 } : null,
  });

  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const ids: number[] = [];
  const text = new TextStream((x) => tokenizer.decode(x, { skipSpecialTokens: true }), stop ? [stop] : []);
  let why: GeneratedToken['stop'] | 'interrupted' = undefined;
  const started = performance.now();
  try {
    for await (const t of generate(net, inputIds, {
      ...sampling, maxNewTokens: maxTokens, eosIds, seed, signal: abort.signal,
      stopStrings: stop ? [stop] : undefined, decode: (x) => tokenizer.decode(x, { skipSpecialTokens: true }),
    })) {
      if (t.stop !== 'eos') ids.push(t.id);
      why = t.stop;
      process.stdout.write(text.next(ids, t.stop !== undefined));
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
    why = 'interrupted';
    process.stdout.write(text.next(ids, true));
  } finally {
    release();
  }
  process.stdout.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const n = ids.length + (why === 'eos' ? 1 : 0);
  console.error(`[${n} token${n === 1 ? '' : 's'}, stopped: ${why ?? 'context full'}, ${(n / seconds).toFixed(1)} tok/s${adapter ? `, adapter ${adapterPath}` : ''}]`);
  net.release();
  return why === 'interrupted' ? 130 : 0;
}
