/**
 * A progress bar on stderr for work that may take more than a second: shown
 * only when stderr is a terminal (never in pipes, CI logs or --json runs),
 * and only once the work has run for a second, so quick runs stay silent.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** Work done so far (same unit as the total). */
  update(done: number): void;
  /** Removes the bar. */
  stop(): void;
}

const SILENT: Progress = { update: () => {}, stop: () => {} };
const DELAY_MS = 1000;

/** A bar over `total` units labelled `label`; silent when stderr is not a TTY or `quiet`. */
export function startProgress(label: string, total: number, quiet = false): Progress {
  if (quiet || !process.stderr.isTTY || total <= 0) return SILENT;
  const started = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done: number): void {
      if (bar === null) {
        if (Date.now() - started < DELAY_MS) return;
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta}s`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(Math.min(done, total));
    },
    stop(): void {
      bar?.stop();
      bar = null;
    },
  };
}
