import { describe, expect, it } from 'vitest';
import { parseGenerationConfig } from './generationConfig';
import { ModelFileError } from './errors';

describe('generation_config.json', () => {
  it('reads eos_token_id as an id or a list; absent file or key = no ids', () => {
    expect(parseGenerationConfig(null)).toEqual({ eosTokenIds: [] });
    expect(parseGenerationConfig(undefined)).toEqual({ eosTokenIds: [] });
    expect(parseGenerationConfig({ bos_token_id: 1 })).toEqual({ eosTokenIds: [] });
    expect(parseGenerationConfig({ eos_token_id: null })).toEqual({ eosTokenIds: [] });
    expect(parseGenerationConfig({ eos_token_id: 151645 })).toEqual({ eosTokenIds: [151645] });
    expect(parseGenerationConfig({ eos_token_id: [1, 106, 1] })).toEqual({ eosTokenIds: [1, 106] });
  });

  it('a malformed file is an error naming it', () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2], /^org\/m\/generation_config\.json: expected a JSON object\.$/],
      ['x', /expected a JSON object/],
      [{ eos_token_id: '2' }, /^org\/m\/generation_config\.json: "eos_token_id" must be a token id or a list of token ids, got "2"\.$/],
      [{ eos_token_id: [1, -2] }, /got \[1,-2\]/],
      [{ eos_token_id: 1.5 }, /got 1\.5/],
    ];
    for (const [json, message] of bad) {
      expect(() => parseGenerationConfig(json, 'org/m/generation_config.json')).toThrow(ModelFileError);
      expect(() => parseGenerationConfig(json, 'org/m/generation_config.json')).toThrow(message);
    }
    expect(() => parseGenerationConfig({ eos_token_id: 'x' })).toThrow(/^generation_config\.json: /);
  });
});
