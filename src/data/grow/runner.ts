/**
 * The generation loops of Self-Instruct and Evol-Instruct, independent of where text comes from: a `ChatFn` (the
 * loaded model through the engine Worker, or an OpenAI-compatible endpoint) answers chat messages. Every model call is
 * retried a bounded number of times; a call that still fails is recorded as a per-item error and the run goes on with
 * the next item. Cancelling (the AbortSignal) stops between calls and aborts the call in flight. Candidates that pass
 * every filter are handed to `onItem` (the review queue); the rest are counted per reason.
 */
import type { PairBody, Turn } from '../types';
import { checkEvolution, checkEvolved, evolMessages, parseEvolved, type EvolOp } from './evol';
import { checkInstruction, checkResponse, countReason, DEFAULT_FILTERS, NoveltyIndex, ResponseIndex, type FilterCounts, type FilterOptions } from './filters';
import { parseInstructions, responseMessages, sampleSeedTasks, selfInstructMessages, type SeedTask } from './selfInstruct';
import { seededRandom } from '../../db/split';

export interface ChatOptions {
  maxTokens: number;
  temperature: number;
  seed: number;
  signal: AbortSignal;
}

export type ChatFn = (messages: Turn[], opts: ChatOptions) => Promise<string>;

export interface GrowError {
  /** What was being generated, e.g. 'instructions (round 2)' or the instruction being answered. */
  item: string;
  message: string;
}

export interface GrowProgress {
  /** Work units done / planned: prompting rounds for Self-Instruct (it may stop early), evolutions for Evol-Instruct. */
  done: number;
  total: number;
  /** Candidates handed to the review queue. */
  queued: number;
  /** Instructions parsed or evolved (before filtering). */
  candidates: number;
  filtered: FilterCounts;
  errors: GrowError[];
  /** Model calls that failed and were tried again. */
  retried: number;
}

export interface GrowCandidate {
  body: PairBody;
  /** Origin tag, e.g. 'self-instruct' or 'evol:deepen'. */
  tag: string;
  /** Evol-Instruct: the instruction it was evolved from. */
  parent?: string;
}

export interface RunCommon {
  chat: ChatFn;
  signal: AbortSignal;
  seed: number;
  temperature: number;
  maxTokens: number;
  /** Tries per model call after the first (bounded). */
  retries: number;
  filters?: FilterOptions;
  onProgress: (p: GrowProgress) => void;
  onItem: (c: GrowCandidate) => Promise<void> | void;
}

export class Cancelled extends Error {
  override name = 'Cancelled';
}

export function emptyProgress(total = 0): GrowProgress {
  return { done: 0, total, queued: 0, candidates: 0, filtered: {}, errors: [], retried: 0 };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One model call with up to `retries` more tries; throws Cancelled once the signal is aborted. */
async function call(run: RunCommon, p: GrowProgress, messages: Turn[], seed: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    if (run.signal.aborted) throw new Cancelled('Cancelled.');
    try {
      const text = await run.chat(messages, { maxTokens: run.maxTokens, temperature: run.temperature, seed: seed + attempt * 7919, signal: run.signal });
      // A back end stopped mid-reply (the Worker's Stop) returns the partial text: never use it.
      if (run.signal.aborted) throw new Cancelled('Cancelled.');
      return text;
    } catch (e) {
      if (run.signal.aborted) throw new Cancelled('Cancelled.');
      if (attempt >= run.retries) throw e;
      p.retried++;
      run.onProgress({ ...p });
    }
  }
}

export interface SelfInstructRun extends RunCommon {
  /** Tasks from the dataset to sample prompts from. */
  seedTasks: SeedTask[];
  /** Every instruction already in the dataset or the queue (duplicate and near-duplicate checks). */
  existing: string[];
  /** How many new pairs to queue. */
  count: number;
  /** Example tasks per prompt. */
  k: number;
  /** New tasks asked for per prompt. */
  perPrompt: number;
  /** Give up after this many prompting rounds even if `count` is not reached (small models are mostly filtered). */
  maxRounds: number;
}

export async function runSelfInstruct(run: SelfInstructRun): Promise<GrowProgress> {
  const filters = run.filters ?? DEFAULT_FILTERS;
  const rand = seededRandom(run.seed);
  const novelty = new NoveltyIndex(run.existing, filters.rougeThreshold);
  const responses = new ResponseIndex();
  const generated: SeedTask[] = [];
  const p = emptyProgress(run.maxRounds);
  const report = () => run.onProgress({ ...p, filtered: { ...p.filtered }, errors: p.errors.slice() });
  report();
  try {
    for (let round = 0; round < run.maxRounds && p.queued < run.count; round++) {
      const examples = sampleSeedTasks(run.seedTasks, generated, run.k, rand);
      let instructions: string[];
      try {
        instructions = parseInstructions(await call(run, p, selfInstructMessages(examples, run.perPrompt), run.seed + round));
      } catch (e) {
        if (e instanceof Cancelled) throw e;
        p.errors.push({ item: `instructions (round ${round + 1})`, message: message(e) });
        continue;
      } finally {
        p.done++;
        report();
      }
      if (instructions.length === 0) {
        p.filtered = countReason(p.filtered, 'empty'); // the reply held no instruction at all
        report();
      }
      for (const instruction of instructions) {
        if (p.queued >= run.count) break;
        p.candidates++;
        const reason = checkInstruction(instruction, filters) ?? novelty.check(instruction)?.reason;
        if (reason) {
          p.filtered = countReason(p.filtered, reason);
          report();
          continue;
        }
        novelty.add(instruction); // also blocks near-copies later in the same reply
        let response: string;
        try {
          response = (await call(run, p, responseMessages(instruction), run.seed + 1000 + p.candidates)).trim();
        } catch (e) {
          if (e instanceof Cancelled) throw e;
          p.errors.push({ item: instruction, message: message(e) });
          report();
          continue;
        }
        const bad = checkResponse(instruction, response, filters) ?? responses.check(response);
        if (bad) p.filtered = countReason(p.filtered, bad);
        else {
          await run.onItem({ body: { kind: 'pair', instruction, input: '', output: response }, tag: 'self-instruct' });
          generated.push({ instruction });
          p.queued++;
        }
        report();
      }
    }
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
  }
  report();
  return p;
}

export interface EvolRun extends RunCommon {
  /** Instructions to evolve (with their input, kept as is). */
  sources: SeedTask[];
  ops: EvolOp[];
  existing: string[];
}

export async function runEvol(run: EvolRun): Promise<GrowProgress> {
  const filters = run.filters ?? DEFAULT_FILTERS;
  const novelty = new NoveltyIndex(run.existing, filters.rougeThreshold);
  const responses = new ResponseIndex();
  const p = emptyProgress(run.sources.length * run.ops.length);
  const report = () => run.onProgress({ ...p, filtered: { ...p.filtered }, errors: p.errors.slice() });
  report();
  let n = 0;
  try {
    for (const src of run.sources)
      for (const op of run.ops) {
        n++;
        try {
          const evolved = parseEvolved(await call(run, p, evolMessages(op, src.instruction), run.seed + n));
          p.candidates++;
          // An evolution that copies the original is 'no-change', not a near-duplicate of it.
          const early = checkEvolved(src.instruction, evolved) ?? checkInstruction(evolved, { ...filters, maxWords: filters.maxWords + 60 }) ?? novelty.check(evolved)?.reason;
          if (early) {
            p.filtered = countReason(p.filtered, early);
            continue;
          }
          novelty.add(evolved);
          const response = (await call(run, p, responseMessages(evolved, src.input), run.seed + 5000 + n)).trim();
          const bad = checkEvolution(src.instruction, evolved, response, filters) ?? responses.check(response);
          if (bad) {
            p.filtered = countReason(p.filtered, bad);
            continue;
          }
          await run.onItem({ body: { kind: 'pair', instruction: evolved, input: src.input ?? '', output: response }, tag: `evol:${op}`, parent: src.instruction });
          p.queued++;
        } catch (e) {
          if (e instanceof Cancelled) throw e;
          p.errors.push({ item: `${op}: ${src.instruction}`, message: message(e) });
        } finally {
          p.done++;
          report();
        }
      }
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
  }
  report();
  return p;
}
