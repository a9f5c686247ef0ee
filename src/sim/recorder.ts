/**
 * Time series of a run, for reports: every `every` accesses (or when asked,
 * say on a tick) the recorder takes System.stats() and, per live process,
 * its resident, working-set and swapped page counts. It is called between
 * chunks of work, never from the access path, so recording costs nothing
 * per access; a sample walks each process's page tables once.
 */
import type { PhysicalMemory } from "../machine/physical-memory.js";
import { countUserPages } from "./scenario/page-map.js";
import type { SystemStats } from "./system.js";

/** Fault counts by kind (cumulative), as System.stats() gives them. */
export type FaultKinds = SystemStats["faults"];

export const FAULT_KINDS = ["demandZero", "swapIn", "cow", "stack", "heap", "segv"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ProcessSample {
  readonly pid: number;
  /** Present user pages mapped by the process (shared COW pages count for each sharer). */
  readonly resident: number;
  /** The kernel's working-set estimate, pages. */
  readonly workingSet: number;
  /** Pages of the process that live in swap. */
  readonly swapped: number;
}

export interface Sample {
  readonly accesses: number;
  readonly references: number;
  readonly ticks: number;
  readonly faults: FaultKinds;
  readonly tlbHits: number;
  readonly tlbMisses: number;
  readonly pswpin: number;
  readonly pswpout: number;
  /** Swap slots in use (the kernel's count; else swapped PTEs summed over processes). */
  readonly swapPages: number;
  readonly processes: readonly ProcessSample[];
}

/** A run's samples and a label for each pid that appears in them. */
export interface TimeSeries {
  readonly samples: Sample[];
  readonly labels: Record<number, string>;
}

/** What the recorder reads: a System satisfies it. */
export interface Observable {
  readonly machine: { readonly memory: PhysicalMemory };
  stats(): {
    readonly accesses: number;
    readonly references: number;
    readonly ticks: number;
    readonly faults: FaultKinds;
    readonly vmstat: { readonly pswpin: number; readonly pswpout: number };
    readonly tlb: { readonly hits: number; readonly misses: number };
  };
  process(pid: number): { readonly wsPages: number; readonly status: { readonly state: string } };
  /** The kernel's swap area, when it reports one (slots in use count shared slots once). */
  readonly vmm?: { readonly swap: { readonly usedSlots: number } | null };
}

export class Recorder {
  readonly series: TimeSeries = { samples: [], labels: {} };
  private readonly system: Observable;
  private readonly every: number;
  private nextAt: number;
  private readonly tracked = new Map<number, number>();

  /** Samples `system` every `every` accesses (when `maybeSample` is called past that point). */
  constructor(system: Observable, every: number) {
    this.system = system;
    this.every = Math.max(1, Math.floor(every));
    this.nextAt = 0;
  }

  /** Follow process `pid`, whose page directory is at physical `pdPhys`, under `label`. */
  track(pid: number, pdPhys: number, label: string): void {
    this.tracked.set(pid, pdPhys);
    this.series.labels[pid] = label;
  }

  /** Stop following `pid` (it ended; its directory may be reused). */
  untrack(pid: number): void {
    this.tracked.delete(pid);
  }

  /** Accesses until the next sample is due (for chunking work). */
  get accessesUntilDue(): number {
    return Math.max(1, this.nextAt - this.system.stats().accesses);
  }

  /** Takes a sample if `every` accesses passed since the last one. */
  maybeSample(): void {
    if (this.system.stats().accesses >= this.nextAt) this.sample();
  }

  /** Takes a sample now. */
  sample(): void {
    const s = this.system.stats();
    const processes: ProcessSample[] = [];
    let swapPages = 0;
    for (const [pid, pdPhys] of this.tracked) {
      const info = this.system.process(pid);
      if (info.status.state !== "running") continue;
      const counts = countUserPages(this.system.machine.memory, pdPhys);
      swapPages += counts.swapped;
      processes.push({ pid, resident: counts.resident, workingSet: info.wsPages, swapped: counts.swapped });
    }
    this.series.samples.push({
      accesses: s.accesses,
      references: s.references,
      ticks: s.ticks,
      faults: { ...s.faults },
      tlbHits: s.tlb.hits,
      tlbMisses: s.tlb.misses,
      pswpin: s.vmstat.pswpin,
      pswpout: s.vmstat.pswpout,
      swapPages: this.system.vmm?.swap?.usedSlots ?? swapPages,
      processes,
    });
    this.nextAt = s.accesses + this.every;
  }
}
