/** Small formatting helpers shared by the HTML report and the terminal tables (no chart library here). */
import type { ProcessOutcome, RunResult } from "../sim/scenario/result.js";
import { formatPressure } from "../kernel/psi.js";
import type { TimeSeries } from "../sim/recorder.js";
import type { PolicyView } from "../sim/policy-view.js";

/** The run's machine had no TLB (`--tlb off`): every translation walked, so the counters have misses and no hits. */
export function tlbOff(run: RunResult): boolean {
  return !run.stats.tlb.enabled;
}

/** What the thrashing throttle did to the turn order, or null when it never made a process sit out. */
export function throttleSkipsText(run: RunResult): string | null {
  const n = run.throttleSkips;
  if (n === 0) return null;
  return `thrashing throttle: throttled processes sat out ${n.toLocaleString("en-US")} turn${n === 1 ? "" : "s"} so that others could run`;
}

/** "97.3 %" of the run's TLB lookups; "off" when the TLB was off; "-" when it was on but made no lookups. */
export function tlbRate(run: RunResult): string {
  if (tlbOff(run)) return "off";
  const { hits, misses } = run.stats.tlb;
  const lookups = hits + misses;
  return lookups === 0 ? "-" : `${((100 * hits) / lookups).toFixed(1)} %`;
}

/** Rows a process table shows at most; a run of thousands of processes is summed up by the rows before. */
export const PROCESS_ROWS = 100;

/** One row of a process table: one process, or a run of consecutive ones alike (same name, parent, status, throttled and stalled ticks). */
export interface ProcessRow {
  /** "7", or "2–10001" for a run of processes. */
  readonly pids: string;
  readonly count: number;
  readonly first: ProcessOutcome;
}

/** The rows of `run`'s process table (at most PROCESS_ROWS), and how many processes did not fit. */
export function processRows(run: RunResult): { rows: ProcessRow[]; omitted: number } {
  const rows: { first: ProcessOutcome; last: ProcessOutcome; count: number }[] = [];
  let shown = 0;
  for (const p of run.processes) {
    const row = rows[rows.length - 1];
    if (row !== undefined && alike(row.first, p)) {
      row.last = p;
      row.count++;
    } else if (rows.length === PROCESS_ROWS) break;
    else rows.push({ first: p, last: p, count: 1 });
    shown++;
  }
  return {
    rows: rows.map((r) => ({ pids: r.count === 1 ? String(r.first.pid) : `${r.first.pid}–${r.last.pid}`, count: r.count, first: r.first })),
    omitted: run.processes.length - shown,
  };
}

/** "child", or "child ×10,000" for a row standing for many processes. */
export function rowName(row: ProcessRow): string {
  return row.count === 1 ? row.first.name : `${row.first.name} ×${row.count.toLocaleString("en-US")}`;
}

/** The line under a process table that could not list every process, or null. */
export function omittedProcessesText(omitted: number): string | null {
  return omitted === 0 ? null : `${omitted.toLocaleString("en-US")} more processes not listed (--json lists every one)`;
}

/** What forks the run could not make, or null when every fork made a child. */
export function forkFailuresText(run: RunResult): string | null {
  const t = run.stats.tasks;
  if (t.forkFailed === 0) return null;
  const memory = t.forkFailed - t.forkFailedAtPidLimit;
  const why = [
    t.forkFailedAtPidLimit > 0 ? `${t.forkFailedAtPidLimit.toLocaleString("en-US")} at the pid limit (pidMax ${t.pidMax.toLocaleString("en-US")}: at most ${(t.pidMax - 1).toLocaleString("en-US")} processes at once)` : "",
    memory > 0 ? `${memory.toLocaleString("en-US")} for want of memory` : "",
  ].filter((s) => s !== "");
  return `fork failed ${t.forkFailed.toLocaleString("en-US")} time${t.forkFailed === 1 ? "" : "s"}: ${why.join(", ")}`;
}

function alike(a: ProcessOutcome, b: ProcessOutcome): boolean {
  return a.name === b.name && a.parent === b.parent && a.summary === b.summary && a.throttledTicks === b.throttledTicks && a.stalledTicks === b.stalledTicks;
}

/** /proc/pressure/memory's two lines for the run's end, or null when no process ever waited for swap. */
export function pressureText(run: RunResult): string | null {
  if (!run.processes.some((p) => p.stalledTicks > 0) && run.stats.psi.some.total === 0) return null;
  return `memory pressure at the end (/proc/pressure/memory, a tick as a second):\n${formatPressure(run.stats.psi)}`;
}

/** A process's stalled time: ticks with two decimals. */
export function stalledText(ticks: number): string {
  return ticks.toFixed(2);
}

/** The policy's lists at the last sample whose lists held pages, with that sample's access count; null if none did. */
export function lastLists(series: TimeSeries): { readonly accesses: number; readonly view: PolicyView } | null {
  for (let i = series.samples.length - 1; i >= 0; i--) {
    const s = series.samples[i];
    if (s.lists !== undefined && s.lists.lists.some((l) => l.pages > 0)) return { accesses: s.accesses, view: s.lists };
  }
  return null;
}
