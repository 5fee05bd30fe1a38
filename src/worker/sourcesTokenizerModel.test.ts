/**
 * SentencePiece's tokenizer.model among chosen local files: carried through as bytes (GGUF export of a
 * SentencePiece vocabulary uses its exact scores), null when absent.
 */
import { describe, expect, it } from 'vitest';
import { resolveSource } from './sources';

const file = (name: string, body: BlobPart) => new File([body], name);
const folder = (extra: File[]) => [
  file('config.json', JSON.stringify({ model_type: 'llama' })),
  file('tokenizer.json', JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [], byte_fallback: true } })),
  file('model.safetensors', 'weights'),
  ...extra,
];

describe('tokenizer.model in local files', () => {
  it('is read as bytes when chosen, null otherwise', async () => {
    const bytes = new Uint8Array([0x0a, 0x07, 0x0a, 0x01, 0x61, 0x15, 0, 0, 0, 0]);
    expect((await resolveSource({ kind: 'files', files: folder([file('tokenizer.model', bytes)]) })).tokenizerModel).toEqual(bytes);
    expect((await resolveSource({ kind: 'files', files: folder([]) })).tokenizerModel).toBeNull();
  });
});
