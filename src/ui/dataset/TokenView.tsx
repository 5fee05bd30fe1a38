import type { ExampleBody } from '../../data/types';

/** Placeholder; replaced by the token/label view. */
export function TokenView(_props: { example: ExampleBody; systemPrompt?: string }) {
  return null;
}
