/** Bounded retries with exponential backoff, cancellable. */
import { abortError } from './errors';

export interface RetryPolicy {
  /** Retries after the first try (per stall: a retry that makes progress resets the count). */
  retries: number;
  /** First delay; doubles each retry up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** A failed try that will be tried again: which file, the try coming next (2 … of), when, and why. */
export interface RetryNotice {
  file: string;
  attempt: number;
  of: number;
  delayMs: number;
  reason: string;
}

let retryListener: ((n: RetryNotice) => void) | null = null;

/** Hears about retries while set (the Worker shows them under the load progress); returns the unset. */
export function setRetryListener(fn: (n: RetryNotice) => void): () => void {
  const prev = retryListener;
  retryListener = fn;
  return () => {
    retryListener = prev;
  };
}

export function notifyRetry(n: RetryNotice): void {
  retryListener?.(n);
}

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
