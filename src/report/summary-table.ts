/**
 * The compact terminal summary of a run or a sweep (cli-table3): what a
 * person reads first, before opening the HTML report.
 */
import Table from "cli-table3";
import type { RunResult } from "../sim/scenario/result.js";
import type { SweepResult } from "../sim/sweep/sweep.js";
import { forkFailuresText, omittedProcessesText, pressureText, processRows, rowName, stalledText, throttleSkipsText, tlbRate } from "./format.js";

/** No colours (output may be piped), compact rows. */
function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** Counters and processes of a run, as two small tables. */
export function runSummaryTable(run: RunResult): string {
  const st = run.stats;
  const f = st.faults;
  const counters = table(["accesses", "faults", "demand-0", "swap-in", "COW", "stack", "heap", "segv", "pswpout", "TLB hit"]);
  counters.push([st.accesses, f.total, f.demandZero, f.swapIn, f.cow, f.stack, f.heap, f.segv, st.vmstat.pswpout ?? 0, tlbRate(run)].map(num));
  // Throttled and stalled ticks only when the throttle acted or a process waited for swap: most runs see neither.
  const throttled = run.processes.some((p) => p.throttledTicks > 0);
  const stalled = run.processes.some((p) => p.stalledTicks > 0);
  const procs = table(["pid", "name", "parent", "status", ...(throttled ? ["throttled ticks"] : []), ...(stalled ? ["stalled ticks"] : [])]);
  const { rows, omitted } = processRows(run);
  for (const row of rows) {
    const p = row.first;
    const extra = [...(throttled ? [num(p.throttledTicks)] : []), ...(stalled ? [stalledText(p.stalledTicks)] : [])];
    procs.push([row.pids, rowName(row), p.parent === 0 ? "-" : String(p.parent), p.summary, ...extra]);
  }
  const lines = [counters.toString(), procs.toString()];
  for (const line of [omittedProcessesText(omitted), forkFailuresText(run), pressureText(run)]) if (line !== null) lines.push(line);
  const throttle = throttleSkipsText(run);
  if (throttle !== null) lines.push(throttle);
  if (run.strictTlb !== null && run.strictTlb.count > 0) lines.push(`strict TLB: ${run.strictTlb.count} stale-entry access(es); first: ${run.strictTlb.messages[0] ?? ""}`);
  if (run.panic !== null) lines.push(`KERNEL PANIC: ${run.panic.reason}`);
  return lines.join("\n");
}

/** What `run` prints: the title, the machine, the tables, the notes and where the report went. */
export function runText(run: RunResult, report: string | undefined): string {
  const machine = Object.entries(run.machine).map(([k, v]) => `${k} ${String(v)}`).join(", ");
  const lines = [run.title, `machine: ${machine}`, runSummaryTable(run), ...run.notes.map((note) => `note: ${note}`)];
  if (report !== undefined) lines.push(`report: ${report}`);
  return lines.join("\n");
}

/** Miss ratios of a sweep: one row per size, one column per policy. */
export function sweepSummaryTable(sweep: SweepResult): string {
  const t = table([sweep.axis === "ram" ? "RAM" : "frames", ...sweep.policies]);
  for (const size of sweep.sizes) {
    const row = sweep.policies.map((policy) => {
      const p = sweep.points.find((x) => x.policy === policy && x.size === size);
      return p === undefined ? "-" : p.missRatio.toFixed(4);
    });
    const label = sweep.points.find((x) => x.size === size)?.label ?? String(size);
    t.push([label, ...row]);
  }
  return t.toString();
}

function num(v: number | string): string {
  return typeof v === "number" ? v.toLocaleString("en-US") : v;
}
