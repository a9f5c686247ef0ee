/**
 * A progress bar on stderr for commands that take more than a second: shown
 * only when stderr is a terminal (never in pipes, CI logs or --json runs),
 * and only once the command has run for a second, so quick runs stay silent.
 * The second counts from the command's start, not from its current phase: a
 * replay that reads its trace for 0.8 s and then replays it for 0.4 s shows
 * its bar from the 1 s mark on, labelled with the phase it is in. A bar on
 * the screen is erased when the command ends, by a signal (Ctrl-C) too.
 */
import { createRequire } from "node:module";
import type cliProgress from "cli-progress";
import { cleanupOnExit } from "../sim/exit-cleanup.js";

/** cli-progress, loaded the first time a bar is drawn: most runs never draw one. */
const load = createRequire(import.meta.url);

export interface Progress {
  /**
   * `done` of `total` units of the phase called `label`. A new label (or
   * total) starts a new phase: the bar is redrawn for it. A total of 0 is
   * an unknown size (a trace read from a pipe): no bar for that phase.
   */
  update(label: string, done: number, total: number): void;
  /** Removes the bar, if shown; call it once the command ends, whether it failed or not. */
  stop(): void;
  /** Tells the person watching something before the work starts (an estimate): one line, on the terminal only. */
  announce(line: string): void;
}

/** Where the bar is drawn and the clock the second is measured on. */
export interface ProgressTerminal {
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  now(): number;
}

const SILENT: Progress = { update: () => {}, stop: () => {}, announce: () => {} };
const DELAY_MS = 1000;

/** A command's progress, from now on; silent when `quiet` (--json) or the stream is not a terminal. */
export function startProgress(quiet: boolean, terminal: ProgressTerminal): Progress {
  if (quiet || terminal.stream.isTTY !== true) return SILENT;
  const started = terminal.now();
  let shown: { label: string; total: number; bar: cliProgress.SingleBar } | null = null;
  const erase = (): void => {
    shown?.bar.stop();
    shown = null;
  };
  // A bar on the screen is erased on exit or when a signal (Ctrl-C) ends the command.
  let release: (() => void) | null = null;
  const hide = (): void => {
    const r = release;
    release = null;
    if (r !== null) r();
    else erase();
  };
  return {
    update(label: string, done: number, total: number): void {
      if (shown !== null && (shown.label !== label || shown.total !== total)) hide();
      if (total <= 0) return;
      const value = Math.min(done, total);
      if (shown !== null) shown.bar.update(value);
      else if (terminal.now() - started >= DELAY_MS) {
        shown = { label, total, bar: newBar(terminal.stream, label) };
        shown.bar.start(total, value);
        release = cleanupOnExit(erase);
      }
    },
    stop: hide,
    announce: (line: string) => {
      hide();
      terminal.stream.write(`vmm386: ${line}\n`);
    },
  };
}

function newBar(stream: NodeJS.WritableStream, label: string): cliProgress.SingleBar {
  const bars = load("cli-progress") as typeof cliProgress;
  // The cursor stays visible: a signal's default action may end the process before the bar could show it again.
  return new bars.SingleBar(
    { stream, format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta}s`, hideCursor: false, clearOnComplete: true },
    bars.Presets.shades_classic,
  );
}
