/**
 * The zero-shot exercise: a run trained on some tags (Train → "Train on tags"), evaluated on every tag. Which tags a
 * run never trained on comes from the run itself (Run.trainTags, recorded when it started), so it stays true after the
 * dataset changes.
 */
import type { ReportModel } from '../../eval/report';
import { summarizeByTag, type MetricKey } from '../../eval/metrics';

/** Tags each run trained on, by model key (run id); only runs that trained on a strict subset of `allTags`. */
export function partialTagRuns(models: readonly ReportModel[], runs: readonly { id: string; trainTags?: string[] }[] | undefined, allTags: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of models) {
    const tags = runs?.find((r) => r.id === m.key)?.trainTags;
    if (!tags || tags.length === 0) continue;
    const set = new Set(tags);
    if (allTags.some((t) => !set.has(t))) out.set(m.key, set);
  }
  return out;
}

export interface ZeroShotLine {
  key: string;
  label: string;
  trained: string[];
  seen: { n: number; mean: number | null };
  unseen: { n: number; mean: number | null };
}

/** Per run that skipped some tags: the metric on examples with a trained tag vs examples with only unseen tags. */
export function zeroShotLines(models: readonly ReportModel[], partial: Map<string, Set<string>>, k: MetricKey): ZeroShotLine[] {
  return models
    .filter((m) => partial.has(m.key))
    .map((m) => {
      const trained = partial.get(m.key)!;
      const seenRows = m.rows.filter((r) => r.tags.some((t) => trained.has(t)));
      const unseenRows = m.rows.filter((r) => r.tags.length > 0 && !r.tags.some((t) => trained.has(t)));
      const pick = (rows: typeof m.rows) => {
        const s = summarizeByTag(rows).all[k];
        return { n: s.n, mean: s.mean };
      };
      return { key: m.key, label: m.label, trained: [...trained].sort(), seen: pick(seenRows), unseen: pick(unseenRows) };
    });
}
