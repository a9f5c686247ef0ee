/**
 * What a scenario run leaves behind, as plain data: the counters, how each
 * process ended, the recorded time series and any strict-TLB findings. The
 * CLI prints it (`--json`, the summary table) and the report renders it.
 */
import type { TimeSeries } from "../recorder.js";
import type { FaultReport, System, SystemStats } from "../system.js";

export interface ProcessOutcome {
  readonly pid: number;
  readonly name: string;
  /** Parent pid, 0 if spawned. */
  readonly parent: number;
  readonly state: "running" | "exited" | "killed";
  /** Exit status when exited, else null. */
  readonly exitCode: number | null;
  /** The fault that killed it, else null. */
  readonly faultReport: FaultReport | null;
  /** One line: "exited(0)", "killed at 0x00000010 (user read, not present): ...". */
  readonly summary: string;
  readonly throttledTicks: number;
  /** Ticks it waited for swap I/O by the latency model (PSI's memory stall). */
  readonly stalledTicks: number;
}

export interface StrictTlbFindings {
  readonly count: number;
  /** One line per violation kept (the first ones). */
  readonly messages: readonly string[];
}

/** Violation messages a result lists; `count` counts them all. */
const STRICT_MESSAGES_KEPT = 20;

/** What `system`'s strict TLB checker found, or null when strict mode is off. */
export function strictTlbFindings(system: System): StrictTlbFindings | null {
  if (!system.config.strictTlb) return null;
  const mmu = system.machine.mmu;
  return { count: mmu.strictViolationCount, messages: mmu.strictViolations.slice(0, STRICT_MESSAGES_KEPT).map((v) => v.message) };
}

export interface RunResult {
  readonly title: string;
  readonly description: string;
  /** Scenario file (or `<demo>`). */
  readonly source: string;
  /** The machine as configured, for display: ram, swap, cpu, policy, tlb, ... */
  readonly machine: Readonly<Record<string, string | number | boolean>>;
  readonly stats: SystemStats;
  readonly processes: readonly ProcessOutcome[];
  readonly series: TimeSeries;
  /** Strict-TLB findings, or null when strict mode was off. */
  readonly strictTlb: StrictTlbFindings | null;
  /** A kernel panic, or null. */
  readonly panic: FaultReport | null;
  /** Problems the scenario ran into that are not faults (a refused brk, a failed fork), one line each. */
  readonly notes: readonly string[];
  /**
   * Turns a throttled process sat out so that another could run: the
   * scheduler's side of the thrashing throttle (the kernel's side is each
   * process's throttledTicks). 0 when it never acted, and for a replay,
   * whose one process has nobody to give its turns to.
   */
  readonly throttleSkips: number;
}
