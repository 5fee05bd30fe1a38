import { useState } from 'react';
import type { EvalResult } from '../../db/evals';
import { METRICS, difference, formatDifference, formatMetric, summarizeByTag, type MetricKey, type Summary } from '../../eval/metrics';
import { metricsMarkdown, resultsCsv, type ReportModel } from '../../eval/report';
import { Button } from '../components/Button';
import { Card } from '../components/Card';
import { downloadText } from '../dataset/download';
import { slug } from '../export/download';
import { SelectField } from '../train/fields';
import { commonExamples } from './evalData';
import { useRuns } from '../train/runsView';
import { partialTagRuns, zeroShotLines } from './zeroShot';

function meanOf(xs: readonly (number | null | undefined)[]): { n: number; mean: number | null } {
  const v = xs.filter((x): x is number => x != null);
  return { n: v.length, mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null };
}

function Delta({ d }: { d: number | null }) {
  const cls = d == null || Math.abs(d) < 1e-9 ? 'ev-delta' : d > 0 ? 'ev-delta ev-delta--up' : 'ev-delta ev-delta--down';
  return <span className={cls}>{formatDifference(d)}</span>;
}

/** One metric's cell: the mean, how many rows it covers when not all, and the difference from the first model. */
function MetricCell({ s, base, k, first, unseen }: { s: Summary; base: Summary; k: MetricKey; first: boolean; unseen?: boolean }) {
  const m = s[k];
  return (
    <td className="num" data-testid={`eval-cell-${k}`} data-value={m.mean ?? ''} data-unseen={unseen || undefined}>
      {unseen && <span className="ev-n" title="This run never trained on this tag: a zero-shot score">unseen · </span>}
      {formatMetric(m.mean)}
      {m.mean != null && m.n !== s.rows && <span className="ev-n"> (n={m.n})</span>}
      {!first && (
        <>
          <br />
          <Delta d={difference(m.mean, base[k].mean)} />
        </>
      )}
    </td>
  );
}

function ModelHeads({ models }: { models: readonly ReportModel[] }) {
  return (
    <>
      {models.map((m, i) => (
        <th scope="col" key={m.key} className="num">
          {m.label}
          {i > 0 && <span className="ev-n"> Δ vs {models[0].label}</span>}
        </th>
      ))}
    </>
  );
}

/** Base vs tuned (vs other runs): each metric's mean per model with the difference from the first, per tag too; downloads. */
export function ResultsCard({ results, models: allModels, title }: { results: EvalResult[]; models: ReportModel[]; title: string }) {
  const [tagMetric, setTagMetric] = useState<MetricKey>('rougeL');
  const { models, common, dropped } = commonExamples(allModels);
  const per = models.map((m) => summarizeByTag(m.rows));
  const sums = per.map((p) => p.all);
  const tags = [...new Set(per.flatMap((p) => p.byTag.map(([t]) => t)))].sort((a, b) => a.localeCompare(b));
  const partial = results.filter((r) => r.partial);
  const runs = useRuns();
  const tagRuns = partialTagRuns(models, runs, tags);
  const zeroShot = zeroShotLines(models, tagRuns, tagMetric);
  const metricLabel = METRICS.find((m) => m.key === tagMetric)?.label ?? tagMetric;
  const file = slug(title);

  return (
    <Card title="Results" testId="eval-results" aside={<span>{title}</span>}>
      <div className="ev-results">
        <div className="ev-scroll" tabIndex={0} role="region" aria-label="Metrics per model">
          <table className="table ev-table" data-testid="eval-table">
            <caption className="visually-hidden">Mean score of each model per metric; the difference from {models[0].label} under each.</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <ModelHeads models={models} />
              </tr>
            </thead>
            <tbody>
              {METRICS.map(({ key, label, help }) => (
                <tr key={key} data-testid={`eval-row-${key}`}>
                  <th scope="row">
                    {label}
                    <span className="table__code">{help}</span>
                  </th>
                  {sums.map((s, i) => (
                    <MetricCell key={models[i].key} s={s} base={sums[0]} k={key} first={i === 0} />
                  ))}
                </tr>
              ))}
              {(['rating', 'judge'] as const).map((k) => {
                const means = models.map((m) => meanOf(m.rows.map((r) => r[k])));
                if (means.every((v) => v.n === 0)) return null;
                return (
                  <tr key={k} data-testid={`eval-row-${k}`}>
                    <th scope="row">
                      {k === 'rating' ? 'Your rating' : 'LLM judge'}
                      <span className="table__code">Mean of the rated answers, 1–5</span>
                    </th>
                    {means.map((v, i) => (
                      <td className="num" key={models[i].key} data-value={v.mean ?? ''}>
                        {v.mean == null ? 'n/a' : v.mean.toFixed(2)}
                        {v.n > 0 && <span className="ev-n"> ({v.n} rated)</span>}
                      </td>
                    ))}
                  </tr>
                );
              })}
              <tr>
                <th scope="row">Examples answered</th>
                {results.map((r) => (
                  <td className="num" key={r.id} data-testid="eval-answered">
                    {r.rows.length}
                    {r.partial && ` of ${r.total}`}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Evaluated</th>
                {results.map((r) => (
                  <td className="num ev-n" key={r.id}>
                    {new Date(r.createdAt).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })} · ≤ {r.settings.maxNewTokens} tokens
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
        {sums.some((s) => METRICS.some(({ key }) => s[key].n < s.rows)) && (
          <p className="fld__hint">n/a or (n=…): examples without a reference answer are not scored — they are left out, not counted as 0.</p>
        )}
        {dropped > 0 && (
          <p className="fld__hint fld__hint--warn" data-testid="eval-common">
            The models answered different examples (separate evaluations): the table compares the {common} every model answered and leaves out {dropped}.
            Evaluate them together for a full comparison.
          </p>
        )}
        {partial.length > 0 && (
          <p className="fld__hint" data-testid="eval-partial">
            {partial.map((r) => r.modelLabel).join(', ')}: cancelled part way; the means cover the answered examples only.
          </p>
        )}
        {tags.length > 0 && (
          <details className="details" data-testid="eval-by-tag">
            <summary>Per tag ({tags.length})</summary>
            <SelectField label="Metric" testId="eval-tag-metric" value={tagMetric} onChange={setTagMetric} options={METRICS.map((m) => ({ value: m.key, label: m.label }))} />
            <div className="ev-scroll" tabIndex={0} role="region" aria-label="Metric per tag and model">
              <table className="table ev-table">
                <thead>
                  <tr>
                    <th scope="col">Tag</th>
                    <ModelHeads models={models} />
                  </tr>
                </thead>
                <tbody>
                  {tags.map((t) => {
                    const ss = per.map((p) => p.byTag.find(([x]) => x === t)?.[1] ?? summarizeByTag([]).all);
                    return (
                      <tr key={t} data-testid="eval-tag-row" data-tag={t}>
                        <th scope="row">
                          {t} <span className="ev-n">({ss[0].rows})</span>
                        </th>
                        {ss.map((s, i) => (
                          <MetricCell key={models[i].key} s={s} base={ss[0]} k={tagMetric} first={i === 0} unseen={tagRuns.get(models[i].key)?.has(t) === false} />
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {zeroShot.map((z) => (
              <p key={z.key} className="fld__hint" data-testid="eval-zero-shot" data-seen={z.seen.mean ?? ''} data-unseen={z.unseen.mean ?? ''}>
                <strong>Zero-shot, {z.label}</strong> (trained on {z.trained.join(', ')}): {metricLabel} {formatMetric(z.seen.mean)} on
                examples with a trained tag (n={z.seen.n}), {formatMetric(z.unseen.mean)} on tags it never saw (n={z.unseen.n}).
              </p>
            ))}
          </details>
        )}
        <div className="trn-controls">
          <Button size="sm" data-testid="eval-download-csv" onClick={() => downloadText(`${file}.csv`, resultsCsv(allModels), 'text/csv')}>
            Download CSV
          </Button>
          <Button size="sm" data-testid="eval-download-md" onClick={() => downloadText(`${file}.md`, metricsMarkdown(models, title), 'text/markdown')}>
            Download Markdown
          </Button>
        </div>
      </div>
    </Card>
  );
}
