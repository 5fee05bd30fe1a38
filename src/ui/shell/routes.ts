/** The studio's pages, in navigation order. The hash (#/model …) is the single source of truth for the current one. */
export type RouteId = 'model' | 'dataset' | 'train' | 'playground' | 'classroom' | 'evaluate' | 'export' | 'device';

export interface RouteDef {
  id: RouteId;
  label: string;
  /** One line under the label in the navigation. */
  hint: string;
  /** Workflow step number; the Device page has none. */
  step?: number;
  /** Sections that cannot work at all without a WebGPU device are replaced by an explanation when it is unavailable. */
  needsGpu: boolean;
}

export const ROUTES: readonly RouteDef[] = [
  { id: 'model', label: 'Model', hint: 'Pick a base model', step: 1, needsGpu: false },
  { id: 'dataset', label: 'Dataset', hint: 'Write your examples', step: 2, needsGpu: false },
  { id: 'train', label: 'Train', hint: 'LoRA on your GPU', step: 3, needsGpu: true },
  { id: 'playground', label: 'Playground', hint: 'Try base vs adapter', step: 4, needsGpu: true },
  { id: 'classroom', label: 'Classroom', hint: 'Why mask the prompt?', step: 5, needsGpu: true },
  { id: 'evaluate', label: 'Evaluate', hint: 'Did tuning help?', step: 6, needsGpu: false },
  { id: 'export', label: 'Export', hint: 'Download PEFT adapter', step: 7, needsGpu: false },
  { id: 'device', label: 'Device', hint: 'Adapter, features, limits', needsGpu: false },
];

export const DEFAULT_ROUTE: RouteId = 'model';

export function routeHref(id: RouteId): string {
  return `#/${id}`;
}

/** '' or '#' or '#/' mean "no route yet" (null); anything else is looked up and may be unknown ('not-found'). */
export function parseHash(hash: string): RouteDef | 'not-found' | null {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  if (path === '') return null;
  return ROUTES.find((r) => r.id === path.toLowerCase()) ?? 'not-found';
}
