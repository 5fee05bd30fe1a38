/// <reference lib="webworker" />
/** Runs duplicate detection off the main thread so typing stays smooth on 20,000-example datasets. */
import { findDuplicates } from '../../db/dedupe';
import type { Example } from '../../data/types';

self.onmessage = (e: MessageEvent<{ seq: number; examples: Pick<Example, 'id' | 'body'>[] }>) => {
  const { seq, examples } = e.data;
  const report = findDuplicates(examples);
  (self as unknown as Worker).postMessage({ seq, groups: report.groups });
};
