/** Helpers shared by the `train` and `generate` commands: strict flag checks and reading a model dir's tokenizer. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionalNumber, type ParsedArgs } from './args.ts';
import { TEMPLATE_PRESETS, getPreset } from '../data/templates.ts';
import { loadTokenizer, type StudioTokenizer } from '../text/tokenizer.ts';
import { SPECIAL_TOKEN_POLICIES, type SpecialTokensInText } from '../data/labels-specials.ts';

/** Rejects positional arguments and flags the command does not know (a typo must not be silently ignored). */
export function checkFlags(p: ParsedArgs, known: readonly string[], command: string): void {
  if (p.positional.length) throw new Error(`unexpected argument "${p.positional[0]}" (options start with --); see: npm run cli -- ${command} --help`);
  const unknown = [...p.flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`unknown option --${unknown[0]}; see: npm run cli -- ${command} --help`);
}

/** A switch such as --pack: present or not; a value after it is an error rather than silently swallowed. */
export function switchFlag(p: ParsedArgs, name: string): boolean {
  const v = p.flags.get(name);
  if (v === undefined) return false;
  if (v !== true) throw new Error(`--${name} takes no value (got "${v}")`);
  return true;
}

/** A number flag that must be an integer ≥ min (and ≤ max). */
export function intFlag(p: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = optionalNumber(p, name, fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${n}`);
  if (n > max) throw new Error(`--${name} must be at most ${max}, got ${n}`);
  return n;
}

/** Seeds are 32-bit everywhere (shuffling, LoRA init, dropout): a larger one would silently wrap (2^32 → 0). */
export const MAX_SEED = 2 ** 32 - 1;

/** --seed: an integer in [0, 2^32 − 1]. */
export function seedFlag(p: ParsedArgs, fallback: number): number {
  const n = optionalNumber(p, 'seed', fallback);
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) throw new Error(`--seed must be an integer from 0 to ${MAX_SEED} (seeds are 32-bit), got ${n}`);
  return n;
}

/** A number flag > 0. */
export function positiveFlag(p: ParsedArgs, name: string, fallback: number): number {
  const n = optionalNumber(p, name, fallback);
  if (!(n > 0)) throw new Error(`--${name} must be greater than 0, got ${n}`);
  return n;
}

/** A number flag within [min, max] (max exclusive when `maxExclusive`). */
export function rangeFlag(p: ParsedArgs, name: string, fallback: number, min: number, max = Infinity, maxExclusive = false): number {
  const n = optionalNumber(p, name, fallback);
  if (n < min || n > max || (maxExclusive && n === max)) {
    throw new Error(`--${name} must be in [${min}, ${max}${maxExclusive ? ')' : ']'}, got ${n}`);
  }
  return n;
}

export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The tokenizer of a model directory (tokenizer.json + tokenizer_config.json). */
export function loadDirTokenizer(dir: string): Promise<StudioTokenizer> {
  return loadTokenizer({
    tokenizerJson: readJsonFile(join(dir, 'tokenizer.json'), 'tokenizer.json'),
    tokenizerConfig: readJsonFile(join(dir, 'tokenizer_config.json'), 'tokenizer_config.json'),
  });
}

/** --template: a preset id or a Jinja file; undefined = the tokenizer's own chat template. */
export function resolveTemplate(nameOrFile: string | undefined): string | undefined {
  if (nameOrFile === undefined) return undefined;
  const preset = getPreset(nameOrFile);
  if (preset) return preset.template;
  if (existsSync(nameOrFile)) return readFileSync(nameOrFile, 'utf8');
  throw new Error(`--template: "${nameOrFile}" is neither a preset (${TEMPLATE_PRESETS.map((t) => t.id).join(', ')}) nor a file`);
}

/** --special-tokens keep|escape (undefined when not given: the default, keep). */
export function specialTokensFlag(p: ParsedArgs): SpecialTokensInText | undefined {
  const v = p.flags.get('special-tokens');
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !SPECIAL_TOKEN_POLICIES.includes(v as SpecialTokensInText))
    throw new Error(`--special-tokens must be one of ${SPECIAL_TOKEN_POLICIES.join(', ')}, got ${v === true ? 'nothing' : JSON.stringify(v)}`);
  return v as SpecialTokensInText;
}
