/**
 * generation_config.json: the optional file Hugging Face models ship next to config.json with their generation
 * defaults. What matters to the studio is `eos_token_id` (an id or a list of ids): Python's `generate()` stops at any
 * of them, and chat models list their end-of-turn token there (<|im_end|>, <end_of_turn>, <|end|>, <|eot_id|>, …),
 * which config.json often lacks. Absent file = no extra ids; a file that is there but malformed is an error naming it.
 */
import { ModelFileError } from './errors';

export interface GenerationConfig {
  /** generation_config.json's eos_token_id as a list (empty when the file or the key is absent). */
  eosTokenIds: number[];
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Validates a parsed generation_config.json (null/undefined = the model has none). `file` names the file in errors
 * ("org/model/generation_config.json", a local path, …).
 */
export function parseGenerationConfig(json: unknown, file = 'generation_config.json'): GenerationConfig {
  if (json === null || json === undefined) return { eosTokenIds: [] };
  if (typeof json !== 'object' || Array.isArray(json)) throw new ModelFileError(file, 'expected a JSON object.');
  const eos = (json as Record<string, unknown>).eos_token_id;
  if (eos === undefined || eos === null) return { eosTokenIds: [] };
  if (isId(eos)) return { eosTokenIds: [eos] };
  if (Array.isArray(eos) && eos.every(isId)) return { eosTokenIds: [...new Set(eos)] };
  throw new ModelFileError(file, `"eos_token_id" must be a token id or a list of token ids, got ${JSON.stringify(eos)}.`);
}
