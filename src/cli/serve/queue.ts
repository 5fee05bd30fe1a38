/**
 * One GPU, one generation at a time: requests wait their turn in arrival order. A request whose signal aborts while
 * it waits leaves the queue at once (it never reaches the GPU); one that aborts while running is the job's own
 * business (generation checks the signal between tokens) and the next in line starts as soon as it returns.
 */
export class CancelledWhileQueued extends Error {
  constructor() {
    super('cancelled while waiting in the queue');
    this.name = 'CancelledWhileQueued';
  }
}

interface Waiter {
  start: () => void;
  signal: AbortSignal;
}

export class GpuQueue {
  private busy = false;
  private readonly waiting: Waiter[] = [];

  /** Requests waiting (not counting the one running). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  get running(): boolean {
    return this.busy;
  }

  /** Runs `job` when every earlier request is done; rejects with CancelledWhileQueued if `signal` aborts first. */
  async run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    if (signal.aborted) throw new CancelledWhileQueued();
    if (this.busy) await this.wait(signal);
    this.busy = true;
    try {
      return await job();
    } finally {
      this.busy = false;
      this.next();
    }
  }

  private wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new CancelledWhileQueued());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private next(): void {
    const w = this.waiting.shift();
    // The next job claims the GPU synchronously, so a request arriving in between cannot overtake it.
    if (w) {
      this.busy = true;
      w.start();
    }
  }
}
