/**
 * A progress bar on stderr for commands that take more than a second: shown
 * only when stderr is a terminal (never in pipes, CI logs or --json runs),
 * and only once the command has run for a second, so quick runs stay silent.
 * The second counts from the command's start, not from its current phase: a
 * replay that reads its trace for 0.8 s and then replays it for 0.4 s shows
 * its bar from the 1 s mark on, labelled with the phase it is in. A phase
 * whose units are named shows its rate since the phase began (a 100 M-access
 * replay: "4.52 M accesses/s") and the time left at that rate. A bar on
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
   * `unit` names the units ("accesses", "B") for the rate; none: no rate.
   */
  update(label: string, done: number, total: number, unit?: string): void;
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
  // Where the current phase began (its label, time and units done), for its rate.
  let phase = { label: "", total: 0, ms: started, done: 0 };
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
    update(label: string, done: number, total: number, unit?: string): void {
      const now = terminal.now();
      if (phase.label !== label || phase.total !== total) phase = { label, total, ms: now, done };
      if (shown !== null && (shown.label !== label || shown.total !== total)) hide();
      if (total <= 0) return;
      const value = Math.min(done, total);
      const pace = { pace: unit === undefined ? "" : paceText(value - phase.done, now - phase.ms, total - value, unit) };
      if (shown !== null) shown.bar.update(value, pace);
      else if (now - started >= DELAY_MS) {
        shown = { label, total, bar: newBar(terminal.stream, label) };
        shown.bar.start(total, value, pace);
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
    { stream, format: `${label} [{bar}] {percentage}% {value}/{total}{pace}`, hideCursor: false, clearOnComplete: true },
    bars.Presets.shades_classic,
  );
}

/** ", 4.52 M accesses/s, ETA 1m05s": the rate of `done` units in `ms`, and the time `left` units take at it. */
export function paceText(done: number, ms: number, left: number, unit: string): string {
  if (done <= 0 || ms <= 0) return "";
  const perSecond = (done / ms) * 1000;
  const [number, prefix] = scaled(perSecond);
  const gap = prefix === "" || unit === "B" ? "" : " ";
  return `, ${number} ${prefix}${gap}${unit}/s, ETA ${duration(left / perSecond)}`;
}

/** [number, SI prefix]: 950 "", 12.3 "k", 4.52 "M", 1.07 "G" (three significant digits). */
function scaled(n: number): [string, string] {
  for (const [factor, prefix] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (n >= factor) return [(n / factor).toPrecision(3), prefix];
  }
  return [`${Math.round(n)}`, ""];
}

/** 7s, 1m05s, 2h03m. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
