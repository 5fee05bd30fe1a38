/**
 * Read-only hooks other sections use to see the loaded model. The dataset's token view takes its tokenizer from
 * `useTokenizer()`: null until a model is loaded (and again after a GPU loss), then the model's own tokenizer.
 */
import { useStudio } from '../../store';
import type { StudioTokenizer } from '../../text/tokenizer';
import type { ModelInfo } from '../../worker/protocol';

export function useTokenizer(): StudioTokenizer | null {
  return useStudio((s) => s.tokenizer);
}

export function useModelInfo(): ModelInfo | null {
  return useStudio((s) => s.modelInfo);
}
