/**
 * One example's label rows in both of the lesson's modes, with the Dataset page's own token chips (TokenChips) and
 * THE label builder: the same input ids twice, only the −100s differ.
 */
import { useMemo } from 'react';
import { buildLabels, type LabeledExample } from '../../data/labels';
import type { ExampleBody, MaskMode } from '../../data/types';
import type { StudioTokenizer } from '../../text/tokenizer';
import { TokenChips } from '../dataset/TokenChips';
import { MODE_LABELS } from '../train/runConfig';
import '../dataset/tokens.css';

interface Props {
  tokenizer: StudioTokenizer;
  body: ExampleBody;
  maskedMode: MaskMode;
  template?: string;
  systemPrompt?: string;
}

function labelOrError(tokenizer: StudioTokenizer, body: ExampleBody, mode: MaskMode, template?: string, systemPrompt?: string): LabeledExample | string {
  try {
    return buildLabels(tokenizer, body, { mode, trainEos: true, template, systemPrompt: systemPrompt || undefined });
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function LabelRows({ tokenizer, body, maskedMode, template, systemPrompt }: Props) {
  const rows = useMemo(
    () => ([maskedMode, 'full'] as MaskMode[]).map((mode) => ({ mode, labeled: labelOrError(tokenizer, body, mode, template, systemPrompt) })),
    [tokenizer, body, maskedMode, template, systemPrompt],
  );
  return (
    <div className="cls-labels" data-testid="lesson-labels">
      {rows.map(({ mode, labeled }) => (
        <div key={mode} className="cls-labels__mode" data-testid={`lesson-labels-${mode === 'full' ? 'full' : 'masked'}`}>
          <h4>
            {MODE_LABELS[mode]}
            {typeof labeled !== 'string' && (
              <span className="cls-labels__counts" data-trained={labeled.trainedCount} data-masked={labeled.maskedCount}>
                {' '}
                — {labeled.trainedCount} of {labeled.inputIds.length} labels trained, {labeled.maskedCount} are −100
              </span>
            )}
          </h4>
          {typeof labeled === 'string' ? <p className="ds-error">This example cannot be formatted: {labeled}</p> : <TokenChips tokenizer={tokenizer} labeled={labeled} />}
        </div>
      ))}
    </div>
  );
}
