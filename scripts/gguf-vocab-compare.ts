/**
 * Writes the GGUF vocabulary metadata our exporter produces for a model folder (config.json vocab_size + ids,
 * tokenizer.json, tokenizer_config.json, tokenizer.model when present) as a tensor-less GGUF, so it can be compared
 * field by field with what llama.cpp's convert_hf_to_gguf.py --vocab-only writes for the same folder
 * (scripts/gguf-vocab-compare.py does the comparison).
 *   node --import tsx scripts/gguf-vocab-compare.ts MODEL_DIR OUT.gguf [--no-tokenizer-model]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ggufFile } from '../src/engine/export/gguf.ts';
import { vocabMetadata } from '../src/engine/export/ggufVocab.ts';

const [dir, out, flag] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: gguf-vocab-compare.ts MODEL_DIR OUT.gguf [--no-tokenizer-model]');
const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
const cfg = json('config.json');
const one = (v: unknown) => (typeof v === 'number' ? v : null);
const eos = [cfg.eos_token_id ?? []].flat().filter((x): x is number => typeof x === 'number');
const model = existsSync(join(dir, 'tokenizer.model')) && flag !== '--no-tokenizer-model' ? new Uint8Array(readFileSync(join(dir, 'tokenizer.model'))) : null;
const md = vocabMetadata(json('tokenizer.json'), json('tokenizer_config.json'), cfg.vocab_size as number, { bos: one(cfg.bos_token_id), eos, pad: one(cfg.pad_token_id) }, model);
const file = ggufFile('vocab.gguf', [['general.architecture', { type: 'string', value: 'llama' }], ...md], []);
const parts: Uint8Array[] = [];
for await (const c of file.bytes(new AbortController().signal)) parts.push(c.slice());
writeFileSync(out, Buffer.concat(parts));
console.log(`wrote ${out} (${md.length} tokenizer keys, tokenizer.model ${model ? 'used' : 'not used'})`);
