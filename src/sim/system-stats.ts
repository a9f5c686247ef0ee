/**
 * A run's counters as plain numbers (System.stats()): faults by kind, the
 * kernel's vmstat, the MMU's TLB counters, ticks, processes and memory
 * pressure, the shape every report and JSON output reads.
 */
import type { Machine } from "../machine/machine.js";
import type { Pressure } from "../kernel/vmm.js";
import type { VmStat, Vmm386Stat } from "../kernel/vmstat.js";

/** Whether the machine had a TLB, and the MMU's TLB counters as plain numbers. */
export interface TlbStats {
  /** False on a machine built with `tlb: "off"`: every translation walked, so the counters have misses and no hits. */
  readonly enabled: boolean;
  readonly translations: number;
  readonly hits: number;
  readonly misses: number;
  readonly walks: number;
  readonly invlpgs: number;
  readonly flushes: number;
  readonly globalKept: number;
}

/** Counters of a run; `vmstat` holds only /proc/vmstat names, `vmm386` the counters Linux has no equivalent of. */
export interface SystemStats {
  /** Calls of access/read/write (one per instruction-level access). */
  readonly accesses: number;
  /** Page references (a straddling access makes two). */
  readonly references: number;
  readonly faults: {
    readonly total: number;
    readonly demandZero: number;
    readonly swapIn: number;
    readonly cow: number;
    readonly stack: number;
    readonly heap: number;
    readonly segv: number;
  };
  readonly vmstat: Readonly<VmStat>;
  readonly vmm386: Readonly<Vmm386Stat>;
  /** enabled, then the counters translations, hits, misses, walks, invlpgs, flushes, globalKept. */
  readonly tlb: Readonly<TlbStats>;
  readonly ticks: number;
  readonly tasks: TaskStats;
  /** /proc/pressure/memory: some and full stall shares (avg10, avg60, avg300 in percent; total in microseconds). */
  readonly psi: Pressure;
}

/** Processes over a run, as `top`'s Tasks line and /proc/stat's `processes` count them. */
export interface TaskStats {
  /** Processes created, spawned or forked. */
  readonly created: number;
  /** Running now, and the most that ran at once. */
  readonly running: number;
  readonly peak: number;
  /** The pid limit in force: at most pidMax - 1 processes at once. */
  readonly pidMax: number;
  /** Forks that made no child: at the pid limit (EAGAIN) or for want of memory (ENOMEM). */
  readonly forkFailed: number;
  readonly forkFailedAtPidLimit: number;
}

/** The MMU's TLB counters, copied out of the machine. */
export function tlbStats({ tlb, counters: c }: Machine["mmu"]): TlbStats {
  return {
    enabled: tlb.enabled,
    translations: c.translations,
    hits: c.hits,
    misses: c.misses,
    walks: c.walks,
    invlpgs: c.invlpgs,
    flushes: c.flushes,
    globalKept: c.globalKept,
  };
}
