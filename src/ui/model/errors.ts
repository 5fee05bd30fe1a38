/** Titles for model-load failures, by the kind the Worker reports (src/worker/protocol.ts EngineErrorKind). */
import type { EngineErrorKind } from '../../worker/protocol';

const TITLES: Record<EngineErrorKind, string> = {
  'repo-not-found': 'Model not found',
  'file-not-found': 'A model file is missing',
  'revision-not-found': 'Revision not found',
  gated: 'This model is gated',
  unauthorized: 'Access denied',
  forbidden: 'Access denied',
  'rate-limited': 'The hub is rate-limiting requests',
  server: 'The server had a problem',
  network: 'Network problem',
  'bad-response': 'Unexpected answer from the server',
  'bad-file': 'A model file is damaged or unreadable',
  unsupported: 'Unsupported model',
  'gpu-unavailable': 'No GPU device',
  'gpu-limit': 'Too big for this GPU',
  cancelled: 'Cancelled',
  other: 'Could not load the model',
};

export function loadErrorTitle(kind: EngineErrorKind, builtin: boolean): string {
  if (builtin && (kind === 'file-not-found' || kind === 'repo-not-found')) return 'The built-in model is not available';
  return TITLES[kind] ?? TITLES.other;
}
