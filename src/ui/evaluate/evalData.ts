/** The Evaluation page's views of IndexedDB: the stored results of a set, their ratings, and the report rows. */
import { useLiveQuery } from 'dexie-react-hooks';
import { isBaseKey, latestEvalResults, ratingsFor, type EvalResult, type Rating } from '../../db/evals';
import type { ReportModel } from '../../eval/report';

/** Results of one set, the base model first, then runs in the order they were first evaluated; undefined while loading. */
export function useEvalResults(datasetId: string | null, setKey: string | null, bump: number): EvalResult[] | undefined {
  return useLiveQuery(async () => {
    if (!datasetId || !setKey) return [];
    const rows = await latestEvalResults(datasetId, setKey);
    return [...rows.filter((r) => isBaseKey(r.modelKey)), ...rows.filter((r) => !isBaseKey(r.modelKey))];
  }, [datasetId, setKey, bump]);
}

export function useRatings(results: readonly EvalResult[] | undefined): Rating[] | undefined {
  const ids = (results ?? []).map((r) => r.id);
  return useLiveQuery(() => ratingsFor(ids), [ids.join('|')]);
}

/** `${resultId}|${exampleId}` → rating, one map per source. */
export function ratingMaps(ratings: readonly Rating[] | undefined): { human: Map<string, Rating>; judge: Map<string, Rating> } {
  const human = new Map<string, Rating>();
  const judge = new Map<string, Rating>();
  for (const r of ratings ?? []) (r.source === 'human' ? human : judge).set(`${r.resultId}|${r.exampleId}`, r);
  return { human, judge };
}

export function reportModels(results: readonly EvalResult[], ratings: readonly Rating[] | undefined): ReportModel[] {
  const { human, judge } = ratingMaps(ratings);
  return results.map((res) => ({
    key: res.modelKey,
    label: res.modelLabel,
    rows: res.rows.map((r) => ({
      exampleId: r.exampleId, tags: r.tags, prompt: r.prompt, reference: r.reference, output: r.output, reason: r.reason, scores: r.scores,
      rating: human.get(`${res.id}|${r.exampleId}`)?.score ?? null,
      judge: judge.get(`${res.id}|${r.exampleId}`)?.score ?? null,
    })),
  }));
}

/** "Validation split" / "Tag “qa”". */
export function setLabel(setKey: string): string {
  return setKey === 'validation' ? 'Validation split' : `Tag “${setKey.slice(4)}”`;
}

/**
 * The models restricted to the examples every one of them answered (separate evaluations may have covered different
 * examples: another limit, a cancelled run), so the differences compare like with like; `dropped` counts the rest.
 */
export function commonExamples(models: readonly ReportModel[]): { models: ReportModel[]; common: number; dropped: number } {
  if (models.length === 0) return { models: [], common: 0, dropped: 0 };
  const sets = models.map((m) => new Set(m.rows.map((r) => r.exampleId)));
  const shared = [...sets[0]].filter((id) => sets.every((s) => s.has(id)));
  const keep = new Set(shared);
  const all = new Set(models.flatMap((m) => m.rows.map((r) => r.exampleId)));
  return { models: models.map((m) => ({ ...m, rows: m.rows.filter((r) => keep.has(r.exampleId)) })), common: shared.length, dropped: all.size - shared.length };
}
