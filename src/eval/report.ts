/**
 * The evaluation's tables as text, for the page's downloads and `cli eval`: a Markdown report (metrics per model with
 * the difference from the first model — the base — and the same per tag) and a CSV with one line per example and model.
 */
import { METRICS, difference, formatDifference, formatMetric, summarizeByTag, type RowScores, type Summary } from './metrics';

export interface ReportRow {
  exampleId: string;
  tags: readonly string[];
  prompt: string;
  reference: string | null;
  output: string;
  reason: string;
  scores: RowScores;
  /** Mean human rating (1–5) and LLM-judge score of this output, when there are any. */
  rating?: number | null;
  judge?: number | null;
}

export interface ReportModel {
  key: string;
  label: string;
  rows: readonly ReportRow[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function mean(xs: readonly (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => x != null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

function metricTable(models: readonly ReportModel[], sums: readonly Summary[]): string[] {
  const head = ['Metric', ...models.flatMap((m, i) => (i === 0 ? [m.label] : [m.label, `Δ vs ${models[0].label}`]))];
  const lines = [`| ${head.map(cell).join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const { key, label } of METRICS) {
    const vals = sums.flatMap((s, i) => {
      const v = `${formatMetric(s[key].mean)}${s[key].mean != null && s[key].n !== s.rows ? ` (n=${s[key].n})` : ''}`;
      return i === 0 ? [v] : [v, formatDifference(difference(s[key].mean, sums[0][key].mean))];
    });
    lines.push(`| ${[label, ...vals].map(cell).join(' | ')} |`);
  }
  lines.push(`| Examples | ${sums.flatMap((s, i) => (i === 0 ? [String(s.rows)] : [String(s.rows), ''])).join(' | ')} |`);
  return lines;
}

/** The Markdown report. `title` becomes the heading. */
export function metricsMarkdown(models: readonly ReportModel[], title = 'Evaluation'): string {
  const out = [`# ${title}`, ''];
  if (models.length === 0 || models.every((m) => m.rows.length === 0)) return [...out, 'No examples were evaluated.', ''].join('\n');
  const per = models.map((m) => summarizeByTag(m.rows));
  out.push(...metricTable(models, per.map((p) => p.all)), '');
  const ratings = models.map((m) => ({ human: mean(m.rows.map((r) => r.rating)), judge: mean(m.rows.map((r) => r.judge)) }));
  if (ratings.some((r) => r.human != null || r.judge != null)) {
    out.push('| Rating (1–5) | ' + models.map((m) => cell(m.label)).join(' | ') + ' |', `| --- |${models.map(() => ' ---: ').join('|')}|`);
    out.push('| Human | ' + ratings.map((r) => (r.human == null ? 'n/a' : r.human.toFixed(2))).join(' | ') + ' |');
    out.push('| LLM judge | ' + ratings.map((r) => (r.judge == null ? 'n/a' : r.judge.toFixed(2))).join(' | ') + ' |', '');
  }
  const tags = [...new Set(per.flatMap((p) => p.byTag.map(([t]) => t)))].sort((a, b) => a.localeCompare(b));
  for (const tag of tags) {
    const sums = per.map((p) => p.byTag.find(([t]) => t === tag)?.[1] ?? summarizeByTag([]).all);
    out.push(`## Tag: ${tag}`, '', ...metricTable(models, sums), '');
  }
  return out.join('\n');
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(v: string | number | null | undefined): string {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = ['example_id', 'model', 'tags', 'prompt', 'reference', 'output', 'stop_reason', 'exact_match', 'normalized_exact_match', 'rouge_l_f1', 'token_f1', 'human_rating', 'judge_score'];

/** One line per example and model; empty cells where a metric does not apply (no reference) or there is no rating. */
export function resultsCsv(models: readonly ReportModel[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const m of models)
    for (const r of m.rows)
      lines.push(
        [r.exampleId, m.label, r.tags.join(';'), r.prompt, r.reference, r.output, r.reason, r.scores.exact, r.scores.normalizedExact, r.scores.rougeL, r.scores.tokenF1, r.rating, r.judge]
          .map(csvField)
          .join(','),
      );
  return lines.join('\r\n') + '\r\n';
}
