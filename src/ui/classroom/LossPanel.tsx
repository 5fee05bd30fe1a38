/** The lesson's measurement: the chart, and below it the numbers it shows. */
import { useMemo } from 'react';
import type { StepPoint } from '../../db/runs';
import { LessonChart, type LessonSeries } from './LessonChart';
import { lessonNumbers, seriesOf, verdict } from './lessonData';

interface Props {
  masked: StepPoint[] | null;
  full: StepPoint[] | null;
  maskedLabel: string;
  tail: number;
  wallSeconds: number | null;
  large: boolean;
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));

/** The chart: both runs' answer-token loss and the full run's prompt-token loss (or a note before the first run). */
export function LossChartView({ masked, full, maskedLabel, large }: Pick<Props, 'masked' | 'full' | 'maskedLabel' | 'large'>) {
  const series = useMemo(() => {
    const out: LessonSeries[] = [];
    if (masked) out.push({ id: 'answer-masked', label: `Answer tokens — masked run (${maskedLabel})`, note: 'its whole loss: it trains only these', ...seriesOf(masked, 'answerLoss') });
    if (full) {
      out.push({ id: 'answer-full', label: 'Answer tokens — full-sequence run', note: 'the same tokens, measured inside the full run', ...seriesOf(full, 'answerLoss') });
      out.push({ id: 'prompt-full', label: 'Prompt tokens — full-sequence run only', note: 'not comparable: the masked run never trains these', ...seriesOf(full, 'promptLoss') });
    }
    return out;
  }, [masked, full, maskedLabel]);
  if (series.length === 0) return <p className="cls-empty" data-testid="lesson-chart-empty">Run the lesson: the two runs’ losses appear here as they train.</p>;
  return <LessonChart series={series} height={large ? 280 : 300} large={large} />;
}

/** The measured numbers under the chart. */
export function LossNumbers({ masked, full, tail }: Pick<Props, 'masked' | 'full' | 'tail'>) {
  const n = lessonNumbers(masked, full, tail);
  if (!masked && !full) return null;
  return (
    <div className="cls-loss__numbers">
      <table className="cls-numbers" data-testid="lesson-numbers">
        <caption>Answer-token loss, mean of the last {tail} steps (the same training batches in both runs)</caption>
        <tbody>
          <tr>
            <th scope="row">Masked run</th>
            <td data-testid="num-masked" data-value={n.masked ?? ''}>{fmt(n.masked)}</td>
          </tr>
          <tr>
            <th scope="row">Full-sequence run</th>
            <td data-testid="num-full" data-value={n.full ?? ''}>{fmt(n.full)}</td>
          </tr>
          <tr>
            <th scope="row">Difference (full − masked)</th>
            <td data-testid="num-diff" data-value={n.difference ?? ''}>{n.difference === null ? '—' : `${n.difference >= 0 ? '+' : ''}${n.difference.toFixed(3)}`}</td>
          </tr>
          <tr className="cls-numbers__aside">
            <th scope="row">Full run, prompt tokens (not comparable)</th>
            <td data-testid="num-prompt">{fmt(n.fullPrompt)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** One sentence that says what the numbers show and nothing more, and the lesson's measured wall time. */
export function LossVerdict({ masked, full, tail, wallSeconds }: Pick<Props, 'masked' | 'full' | 'tail' | 'wallSeconds'>) {
  if (!masked && !full) return null;
  return (
    <p className="cls-verdict" data-testid="lesson-verdict">
      {verdict(lessonNumbers(masked, full, tail))}
      {wallSeconds !== null && <span data-testid="lesson-wall" data-seconds={wallSeconds.toFixed(1)}> The lesson took {wallSeconds.toFixed(1)} s on this device.</span>}
    </p>
  );
}
