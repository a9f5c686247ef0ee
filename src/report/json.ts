/**
 * The `--json` object of a run: one object on stdout with the counters
 * (accesses, references, faults with a total and one key per kind, vmstat
 * with only /proc/vmstat names, vmm386 with the counters Linux has no
 * equivalent of, tlb, psi as /proc/pressure/memory gives it), the process
 * counts (tasks: created, running, peak, pidMax, forks failed), every
 * process's exit status, fault report, throttled ticks and stalled ticks,
 * and the policy's lists (linux, mglru) at the last sample that had pages.
 */
import type { RunResult } from "../sim/scenario/result.js";
import { lastLists } from "./format.js";

/** A plain JSON-ready object describing `run`; `extra` keys are added at the top level. */
export function runResultJson(run: RunResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const st = run.stats;
  return {
    scenario: run.source,
    title: run.title,
    machine: run.machine,
    accesses: st.accesses,
    references: st.references,
    ticks: st.ticks,
    faults: st.faults,
    vmstat: st.vmstat,
    vmm386: st.vmm386,
    tlb: st.tlb,
    tasks: st.tasks,
    psi: st.psi,
    processes: run.processes.map((p) => ({
      pid: p.pid,
      name: p.name,
      parent: p.parent,
      status: p.state,
      exitCode: p.exitCode,
      faultReport: p.faultReport,
      summary: p.summary,
      throttledTicks: p.throttledTicks,
      stalledTicks: p.stalledTicks,
    })),
    throttleSkips: run.throttleSkips,
    strictTlb: run.strictTlb,
    panic: run.panic,
    notes: run.notes,
    samples: run.series.samples.length,
    lists: lastLists(run.series),
    ...extra,
  };
}
