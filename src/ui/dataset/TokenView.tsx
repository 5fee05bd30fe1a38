import './tokens.css';
import { useDeferredValue, useMemo, useState } from 'react';
import { buildLabels, type LabeledExample, type LabelOptions } from '../../data/labels';
import type { SpecialTokensInText } from '../../data/labels-specials';
import type { ExampleBody, MaskMode } from '../../data/types';
import type { StudioTokenizer } from '../../text/tokenizer';
import { useStudio } from '../../store';
import { TokenChips } from './TokenChips';
import { LossHeatmap } from './LossHeatmap';
import { useLabelSettings } from './useLabelSettings';
import { MODE_HINTS } from '../train/runConfig';

const MODES: { id: MaskMode; label: string }[] = [
  { id: 'assistant-only', label: 'Assistant turns' },
  { id: 'completion-only', label: 'Completion only' },
  { id: 'last-turn', label: 'Last turn only' },
  { id: 'per-turn-weights', label: 'Per-turn weights' },
  { id: 'full', label: 'Everything (full)' },
];

/** Loads the small test-fixture tokenizer shipped with the repo: a stand-in until a model is loaded. */
async function loadSampleTokenizer(): Promise<StudioTokenizer> {
  const [{ loadTokenizer }, json, config] = await Promise.all([
    import('../../text/tokenizer'),
    import('../../text/__fixtures__/byte-bpe/tokenizer.json'),
    import('../../text/__fixtures__/byte-bpe/tokenizer_config.json'),
  ]);
  return loadTokenizer({ tokenizerJson: json.default, tokenizerConfig: config.default });
}

function label(tokenizer: StudioTokenizer, body: ExampleBody, options: Omit<LabelOptions, 'systemPrompt'>, systemPrompt?: string): LabeledExample | string {
  try {
    return buildLabels(tokenizer, body, { ...options, systemPrompt: systemPrompt || undefined });
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const NO_KINDS: ReadonlySet<ExampleBody['kind']> = new Set();

/**
 * The formatted example as the model sees it: one chip per token coloured by role, the label under each token
 * (−100 = not trained), and the trained/masked counts. Uses the Train settings (mode, EOS, template, max length) and
 * the loaded model's tokenizer; `tokenizer` may be passed in instead (tests, other sections).
 */
export function TokenView({ example, systemPrompt, tokenizer: given, kinds = NO_KINDS }: { example: ExampleBody; systemPrompt?: string; tokenizer?: StudioTokenizer | null; kinds?: ReadonlySet<ExampleBody['kind']> }) {
  const settings = useLabelSettings(kinds);
  const setLabelOptions = useStudio((s) => s.setLabelOptions);
  const labelMode = useStudio((s) => s.labelMode);
  const setPreviewTokenizer = useStudio((s) => s.setPreviewTokenizer);
  const [loading, setLoading] = useState<string | null>(null);
  const [heat, setHeat] = useState(false);
  // Special-token strings typed in the text (<|im_end|> in an answer): shown, and kept as control tokens or escaped.
  const [specials, setSpecials] = useState<SpecialTokensInText>('keep');
  // The heatmap needs the model itself (the Worker runs it): its own tokenizer, a ready GPU, no load in progress.
  const canHeat = useStudio((s) => !!s.modelInfo && s.gpuStatus === 'ready' && !s.modelLoading) && !given && settings.fromModel;
  const tokenizer = given ?? settings.tokenizer;
  const name = given ? null : settings.tokenizerName;
  const { mode, trainEos } = settings.options;
  const body = useDeferredValue(example);
  const options = useMemo(() => ({ ...settings.options, specialTokensInText: specials }), [settings.options, specials]);
  const result = useMemo(() => (tokenizer ? label(tokenizer, body, options, systemPrompt) : null), [tokenizer, body, options, systemPrompt]);
  const typedSpecials = result && typeof result !== 'string' ? (result.specialInText?.length ?? 0) : 0;
  const unticked = body.kind === 'chat' ? body.messages.filter((m) => m.role === 'assistant' && m.weight === 0).length : 0;

  return (
    <section className="ds-tokens" aria-label="Tokens and labels" data-testid="token-view">
      <header className="ds-tokens__head">
        <h4>Tokens &amp; labels</h4>
        {tokenizer && result && typeof result !== 'string' && (
          <span className="ds-tokens__counts" data-testid="token-counts">
            {result.inputIds.length} tokens · <strong className="ds-tokens__trained">{result.trainedCount} trained</strong> · {result.maskedCount} masked
            {unticked > 0 && (
              <span data-testid="token-unticked" title="Replies whose “train” box is unticked are masked in every mode">
                {' '}
                · {unticked} unticked repl{unticked === 1 ? 'y' : 'ies'} not trained
              </span>
            )}
          </span>
        )}
        <span className="ds-spacer" />
        {tokenizer && (
          <>
            <select
              className="ds-input ds-input--sm"
              aria-label="Which tokens are trained"
              value={labelMode ?? ''}
              onChange={(e) => setLabelOptions({ labelMode: (e.target.value || null) as MaskMode | null })}
            >
              <option value="">As in Train settings ({MODES.find((m) => m.id === settings.trainMode)?.label})</option>
              {MODES.map((m) => (
                <option key={m.id} value={m.id} title={MODE_HINTS[m.id]}>Preview: {m.label}</option>
              ))}
            </select>
            <label className="ds-check" title="Train the end-of-turn token, so the model learns to stop">
              <input type="checkbox" checked={trainEos} onChange={(e) => setLabelOptions({ labelTrainEos: e.target.checked === settings.trainEos ? null : e.target.checked })} /> train EOS
            </label>
            {(typedSpecials > 0 || specials === 'escape') && (
              <select
                className="ds-input ds-input--sm"
                aria-label="Special tokens typed in the text"
                data-testid="special-tokens-in-text"
                title="A special-token string typed in a message (e.g. <|im_end|>) becomes the control token itself; escape it to train the characters instead"
                value={specials}
                onChange={(e) => setSpecials(e.target.value as SpecialTokensInText)}
              >
                <option value="keep">Typed special tokens: keep (control token)</option>
                <option value="escape">Typed special tokens: escape (plain text)</option>
              </select>
            )}
            {canHeat && (
              <label className="ds-check" title="Colour each token by the model's loss on it (base model or a trained run)">
                <input type="checkbox" checked={heat} onChange={(e) => setHeat(e.target.checked)} data-testid="heatmap-toggle" /> Loss heatmap
              </label>
            )}
            {settings.overridden && (
              <button type="button" className="ds-link" onClick={() => setLabelOptions({ labelMode: null, labelTrainEos: null })}>
                back to Train settings
              </button>
            )}
          </>
        )}
      </header>
      {!tokenizer ? (
        <div className="ds-tokens__empty">
          <p className="ds-muted">Load a model in the Model section to see exactly which tokens of this example are trained.</p>
          <button
            type="button"
            className="btn btn--secondary btn--sm"
            data-testid="load-sample-tokenizer"
            disabled={loading === 'loading'}
            onClick={async () => {
              setLoading('loading');
              try {
                setPreviewTokenizer(await loadSampleTokenizer(), 'sample tokenizer (tiny test vocabulary, ChatML template)');
                setLoading(null);
              } catch (e) {
                setLoading(`Could not load the sample tokenizer: ${e instanceof Error ? e.message : String(e)}`);
              }
            }}
          >
            {loading === 'loading' ? 'Loading…' : 'Preview with the sample tokenizer'}
          </button>
          {loading && loading !== 'loading' && <p className="ds-error">{loading}</p>}
        </div>
      ) : typeof result === 'string' ? (
        <p className="ds-error">This example cannot be formatted: {result}</p>
      ) : result ? (
        <>
          {name && (
            <p className="ds-muted ds-tokens__source">
              Tokenizer: {name}
              {!settings.fromModel && ' — a stand-in until a model is loaded'} · mode {mode}
              {settings.overridden ? ' (preview, not the Train setting)' : ''}
            </p>
          )}
          {result.warnings.map((w) => (
            <p key={w} className="ds-notice ds-tokens__warning">{w}</p>
          ))}
          {heat && canHeat ? <LossHeatmap tokenizer={tokenizer} labeled={result} /> : <TokenChips tokenizer={tokenizer} labeled={result} />}
        </>
      ) : null}
    </section>
  );
}
