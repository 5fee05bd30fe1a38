/**
 * "Mix general text": the run's task examples plus general English windows (public/general/mix.txt, never the
 * forgetting meter's held-out documents) as text examples, trained on every token. The mixed-in examples become part
 * of the run's stored examples, so a resumed run and the plan see exactly what was trained.
 */
import type { TrainingExample } from '../../train/data';
import type { StudioTokenizer } from '../../text/tokenizer';
import { GENERAL_TEXT_FILES, mixCount, mixExamples, splitDocuments } from '../../eval/generalText';

export async function withGeneralMix(tokenizer: StudioTokenizer, examples: TrainingExample[], share: number, maxLength: number, seed: number): Promise<TrainingExample[]> {
  const taskTrain = examples.filter((e) => e.split !== 'validation').length;
  const count = mixCount(taskTrain, share);
  if (count === 0) return examples;
  // Leave room for the special tokens a template or BOS may add around a text example.
  const bodies = mixExamples(tokenizer, await mixDocuments(), Math.max(8, maxLength - 4), count, seed);
  return [...examples, ...bodies.map((body) => ({ body, split: 'train' as const }))];
}

/** The mix documents, fetched once per page (the plan preview asks again on every form change); a failure is not kept. */
let documents: Promise<ReturnType<typeof splitDocuments>> | null = null;
function mixDocuments(): Promise<ReturnType<typeof splitDocuments>> {
  documents ??= (async () => {
    const r = await fetch(`${import.meta.env.BASE_URL}${GENERAL_TEXT_FILES.mix}`);
    if (!r.ok) throw new Error(`Could not read the general text to mix in (${GENERAL_TEXT_FILES.mix}: HTTP ${r.status}).`);
    return splitDocuments(await r.text());
  })().catch((e: unknown) => {
    documents = null;
    throw e;
  });
  return documents;
}
