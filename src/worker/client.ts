/**
 * Main-thread side of the engine protocol: starts the Worker, numbers requests, fans events out to subscribers, and
 * turns "request → final event" into a promise (streamed events still reach subscribers on the way).
 */
import type { EngineErrorKind, EngineEvent, EngineEventType, EngineRequest } from './protocol';

type Omit2<T> = T extends unknown ? Omit<T, 'id'> : never;
export type RequestBody = Omit2<EngineRequest>;
type Listener = (e: EngineEvent) => void;

export class EngineError extends Error {
  constructor(
    message: string,
    readonly request: string,
    readonly kind: EngineErrorKind = 'other',
    readonly file?: string,
    readonly reason?: 'no-api' | 'no-adapter' | 'device-failed',
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly listeners = new Set<Listener>();

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    this.worker.onmessage = (ev: MessageEvent<EngineEvent>) => {
      for (const l of [...this.listeners]) l(ev.data);
    };
    this.worker.onerror = (ev) => {
      const e: EngineEvent = { id: 0, type: 'error', message: `The engine worker failed: ${ev.message || 'unknown error'}`, request: 'init' };
      for (const l of [...this.listeners]) l(e);
    };
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Fire a request; returns its id (events answering it carry the same id). */
  send(body: RequestBody, transfer: Transferable[] = []): number {
    const id = this.nextId++;
    this.worker.postMessage({ ...body, id } as EngineRequest, transfer);
    return id;
  }

  /**
   * Send and resolve with the first answering event whose type is in `done` (reject on an 'error' for it).
   * `onEvent` sees every event answering this request (progress, steps, tokens) until then.
   */
  call<T extends EngineEventType>(body: RequestBody, done: T[], onEvent?: Listener, transfer: Transferable[] = []): Promise<Extract<EngineEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      let id = -1;
      const off = this.subscribe((e) => {
        if (e.id !== id) return;
        if (e.type === 'error') {
          off();
          reject(new EngineError(e.message, e.request, e.kind, e.file, e.reason));
          return;
        }
        onEvent?.(e);
        if ((done as string[]).includes(e.type)) {
          off();
          resolve(e as Extract<EngineEvent, { type: T }>);
        }
      });
      id = this.send(body, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }
}

let shared: EngineClient | null = null;
/** The app's one engine Worker. */
export function engine(): EngineClient {
  shared ??= new EngineClient();
  return shared;
}
