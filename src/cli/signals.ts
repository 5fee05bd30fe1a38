/**
 * Ctrl+C (SIGINT) and SIGTERM for the whole CLI, installed once by main.ts before any command runs.
 *
 * `npm run cli` starts node directly (`node --import tsx src/cli/main.ts`): no signal relay sits between the terminal
 * and this process that could kill it while a GPU step keeps the event loop busy (tsx's CLI relays a signal and kills
 * its child 30 ms later when the child has not answered). A terminal's Ctrl+C reaches every process of the foreground
 * group; npm and sh wait for us, so the CLI alone decides what an interrupt does:
 *   - while a command has registered a graceful stop (`onInterrupt`: train stops after the current step and still
 *     writes its output; generate ends the text), the first interrupt calls it;
 *   - a second one quits at once (exit 130 for SIGINT, 143 for SIGTERM) — unless it arrives within DUPLICATE_MS of the
 *     first: the same keypress delivered twice (the terminal plus a relaying parent, or both queued behind one long
 *     step) is one interrupt;
 *   - with no graceful stop registered (loading, parsing), the command quits at once: there is nothing to save.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };
/** Interrupts closer together than this are one (see the header). */
export const DUPLICATE_MS = 500;

let graceful: ((signal: StopSignal) => void) | null = null;
let firstAt = -Infinity;
let installed = false;

function onSignal(signal: StopSignal): void {
  const now = performance.now();
  if (now - firstAt < DUPLICATE_MS) return;
  if (graceful && firstAt === -Infinity) {
    firstAt = now;
    graceful(signal);
    return;
  }
  process.stderr.write(firstAt === -Infinity ? '\ninterrupted\n' : '\nquitting without saving\n');
  process.exit(EXIT_CODE[signal]);
}

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/**
 * Registers what the first interrupt does (until the returned function is called). Registering again replaces it and
 * starts over: the next interrupt is a first one.
 */
export function onInterrupt(stop: (signal: StopSignal) => void): () => void {
  graceful = stop;
  firstAt = -Infinity;
  return () => {
    if (graceful === stop) graceful = null;
  };
}

/** The exit code of a run ended by `signal` (128 + its number, as a shell reports it). */
export function exitCodeOf(signal: StopSignal): number {
  return EXIT_CODE[signal];
}
