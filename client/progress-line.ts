import type { WaitProgress } from './async-task-client.js';
import type { TaskProgress } from './task-snapshot.js';

/** Where progress goes: a writable stream, with `isTTY` and `columns` when it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK_MS = 200;

/** `4.2s`, `1m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** One progress report as text: status, percent, message and elapsed time, e.g. `processing 40% waited 4 of 10 s · 4.2s`. */
export function describeProgress(progress: { status: string; progress: TaskProgress | null }, elapsedMs: number): string {
  const parts: string[] = [progress.status];
  if (progress.progress?.percent != null) parts.push(`${Math.round(progress.progress.percent)}%`);
  if (progress.progress?.message) parts.push(progress.progress.message);
  return `${parts.join(' ')} · ${formatElapsed(elapsedMs)}`;
}

/**
 * Shows a waited-for task's progress on a stream: on a terminal one line redrawn in place, with a
 * spinner and the elapsed time ticking between polls; elsewhere one plain line per answer.
 */
export class ProgressLine {
  private last: { ref: string; status: string; progress: TaskProgress | null; elapsedMs: number } | undefined;
  private lastAt = 0;
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * On a terminal, shows `label` with a ticking clock until the first report: a long-polled start or
   * poll may be held for many seconds before anything is known.
   */
  begin(label: string, status: string): void {
    if (!this.stream.isTTY) return;
    this.last = { ref: label, status, progress: null, elapsedMs: 0 };
    this.lastAt = this.now();
    this.redraw();
  }

  /** Shows a new report. */
  update(progress: WaitProgress): void {
    this.last = progress;
    this.lastAt = this.now();
    if (!this.stream.isTTY) {
      const next = progress.nextPollInMs === null ? '' : ` (next check in ${formatElapsed(progress.nextPollInMs)})`;
      this.stream.write(`${progress.ref}: ${describeProgress(progress, progress.elapsedMs)}${next}\n`);
      return;
    }
    this.redraw();
  }

  /** Stops ticking and clears the line, leaving the terminal as it was. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.stream.isTTY && this.last) this.stream.write('\r\x1b[2K');
  }

  private redraw(): void {
    this.draw();
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), TICK_MS);
      this.timer.unref?.();
    }
  }

  private draw(): void {
    if (!this.last) return;
    const elapsed = this.last.elapsedMs + (this.now() - this.lastAt);
    const spinner = SPINNER[this.frame++ % SPINNER.length];
    const line = `${spinner} ${this.last.ref} ${describeProgress(this.last, elapsed)}`;
    const width = (this.stream.columns || 80) - 1;
    this.stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}
