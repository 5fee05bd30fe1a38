import { useMemo } from 'react';
import type { LabelOptions } from '../../data/labels';
import type { ExampleBody, MaskMode } from '../../data/types';
import type { StudioTokenizer } from '../../text/tokenizer';
import { useStudio } from '../../store';
import { recommendedMode, templateText } from '../train/runConfig';

export interface LabelSettings {
  tokenizer: StudioTokenizer | null;
  tokenizerName: string | null;
  /** True when it is the loaded model's tokenizer (not the sample stand-in). */
  fromModel: boolean;
  /** What the Train settings would use. */
  trainMode: MaskMode;
  trainEos: boolean;
  options: Omit<LabelOptions, 'systemPrompt'>;
  overridden: boolean;
}

/**
 * The tokenizer and label options the token view uses: the loaded model's tokenizer (else the sample stand-in) and
 * the Train section's mask mode, EOS, template and max length — so what you see is what a run trains — unless the
 * token view overrides the mode or EOS for a preview.
 */
export function useLabelSettings(kinds: ReadonlySet<ExampleBody['kind']>): LabelSettings {
  const modelTok = useStudio((s) => s.tokenizer);
  const modelName = useStudio((s) => s.modelInfo?.name ?? null);
  const preview = useStudio((s) => s.previewTokenizer);
  const previewName = useStudio((s) => s.previewTokenizerName);
  const form = useStudio((s) => s.trainForm);
  const labelMode = useStudio((s) => s.labelMode);
  const labelEos = useStudio((s) => s.labelTrainEos);
  const trainMode = form.mode ?? recommendedMode(kinds);
  const mode = labelMode ?? trainMode;
  const trainEos = labelEos ?? form.trainEos;
  const options = useMemo(
    () => ({ mode, trainEos, template: templateText(form.template), maxLength: form.maxLength }),
    [mode, trainEos, form.template, form.maxLength],
  );
  return {
    tokenizer: modelTok ?? preview,
    tokenizerName: modelTok ? modelName : previewName,
    fromModel: !!modelTok,
    trainMode,
    trainEos: form.trainEos,
    options,
    overridden: labelMode !== null || labelEos !== null,
  };
}
