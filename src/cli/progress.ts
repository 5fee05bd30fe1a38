/**
 * Terminal progress for long CLI runs. On a TTY: one bar line redrawn in place (step/total, loss, lr, tokens/s, ETA),
 * with any log line (e.g. each step's loss) printed above it. Elsewhere (pipes, files, CI): plain lines only, no
 * escape codes, so the output can be parsed.
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressState {
  step: number;
  total: number;
  loss?: number;
  lr?: number;
  tokensPerSec?: number;
  /** Seconds since the run started (for the ETA). */
  elapsed?: number;
  /** Steps already done when this process started (resume): excluded from the rate. */
  startStep?: number;
}

/** "1:02:03" / "2:03" from seconds; "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/** Remaining time from the rate of the steps this process has run. */
export function eta(p: ProgressState): number {
  const done = p.step - (p.startStep ?? 0);
  if (!p.elapsed || done <= 0) return NaN;
  return ((p.total - p.step) * p.elapsed) / done;
}

/** The numbers after the step counter: "loss 2.3456  lr 2.00e-4  812 tok/s  ETA 0:35". */
export function formatStats(p: ProgressState): string {
  const parts: string[] = [];
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.lr !== undefined) parts.push(`lr ${p.lr.toExponential(2)}`);
  if (p.tokensPerSec !== undefined) parts.push(`${Math.round(p.tokensPerSec)} tok/s`);
  if (p.elapsed !== undefined) parts.push(`ETA ${formatDuration(eta(p))}`);
  return parts.join('  ');
}

export function renderBar(p: ProgressState, width: number): string {
  const counter = `${p.step}/${p.total}`;
  const stats = formatStats(p);
  const room = Math.max(10, Math.min(40, width - counter.length - stats.length - 6));
  const filled = p.total > 0 ? Math.min(room, Math.round((room * p.step) / p.total)) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(room - filled)}] ${counter}  ${stats}`;
}

export class Progress {
  private bar = '';
  readonly tty: boolean;

  constructor(private readonly out: ProgressStream) {
    this.tty = out.isTTY === true;
  }

  /** A line that stays (printed above the bar on a TTY). */
  log(line: string): void {
    if (this.tty && this.bar) this.out.write(`\r\x1b[2K${line}\n${this.bar}`);
    else this.out.write(`${line}\n`);
  }

  /** Redraw the bar (TTY only; plain output has the log lines). */
  update(p: ProgressState): void {
    if (!this.tty) return;
    this.bar = renderBar(p, this.out.columns ?? 80);
    this.out.write(`\r\x1b[2K${this.bar}`);
  }

  /** Show a one-line status in place of the bar (TTY only), e.g. an evaluation's progress. */
  status(text: string): void {
    if (!this.tty) return;
    this.bar = text;
    this.out.write(`\r\x1b[2K${text}`);
  }

  /** Remove the bar so following output starts on a clean line. */
  done(): void {
    if (this.tty && this.bar) this.out.write('\r\x1b[2K');
    this.bar = '';
  }
}
