/**
 * Time series of a run, for reports: every `every` accesses (or when asked,
 * say on a tick) the recorder takes System.stats() (memory pressure
 * included) and, per live process, its resident, working-set and swapped
 * page counts, which the kernel keeps as counters. It is called between
 * chunks of work, never from the access path, and a sample costs O(live
 * processes); under a policy with lists of its own (linux, mglru) it also
 * takes the lists with the pages of the processes it names, which reads
 * those processes' page tables (at most PROCESSES_KEPT of them).
 *
 * Its memory is bounded however long the run and however many processes:
 * - a sample names the PROCESSES_KEPT processes with the most resident
 *   pages and sums the others; labels are kept for the pids samples name;
 * - past MAX_SAMPLES points, neighbouring points are merged in pairs: the
 *   later point stands for both intervals (counters are cumulative, so the
 *   deltas over the merged interval stay exact; gauges are the state at its
 *   end), and from then on every other request is kept, so the points stay
 *   evenly spread. A request that is not kept still replaces the last
 *   point, so the series always ends with the latest state.
 */
import type { SystemStats } from "./system.js";
import type { Pressure } from "../kernel/vmm.js";
import type { PolicyView, ViewedProcess } from "./policy-view.js";

/** Fault counts by kind (cumulative), as System.stats() gives them. */
export type FaultKinds = SystemStats["faults"];

export const FAULT_KINDS = ["demandZero", "swapIn", "cow", "stack", "heap", "segv"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Points a series holds at most (and one more for the latest state); an even number, so halving keeps the newest kept point. */
export const MAX_SAMPLES = 512;

/** Processes a sample names; the rest are summed in `others`. */
export const PROCESSES_KEPT = 8;

export interface ProcessSample {
  readonly pid: number;
  /** Present user pages mapped by the process (shared COW pages count for each sharer). */
  readonly resident: number;
  /** The kernel's working-set estimate, pages. */
  readonly workingSet: number;
  /** Pages of the process that live in swap. */
  readonly swapped: number;
}

/** The live processes a sample does not name, summed. */
export interface OtherProcesses {
  readonly count: number;
  readonly resident: number;
  readonly workingSet: number;
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
  /** Swap slots in use (the kernel's count; else swapped pages summed over processes). */
  readonly swapPages: number;
  /** /proc/pressure/memory at the sample (absent when the observed system has no PSI). */
  readonly psi?: Pressure;
  /** The policy's lists or generations with each process's pages (linux, mglru; absent for others). */
  readonly lists?: PolicyView;
  /** The live processes with the most resident pages (at most PROCESSES_KEPT), in pid order. */
  readonly processes: readonly ProcessSample[];
  readonly others: OtherProcesses;
}

/** A run's samples and a label for each pid that appears in them. */
export interface TimeSeries {
  readonly samples: Sample[];
  readonly labels: Record<number, string>;
}

/** What the recorder reads: a System satisfies it. */
export interface Observable {
  stats(): {
    readonly accesses: number;
    readonly references: number;
    readonly ticks: number;
    readonly faults: FaultKinds;
    readonly vmstat: { readonly pswpin: number; readonly pswpout: number };
    readonly tlb: { readonly hits: number; readonly misses: number };
    readonly psi?: Pressure;
  };
  process(pid: number): {
    readonly resident: number;
    readonly swapped: number;
    readonly wsPages: number;
    readonly status: { readonly state: string };
    /** The page directory, for the policy's lists (policyView). */
    readonly pdPhys?: number;
  };
  /** The kernel's swap area, when it reports one (slots in use count shared slots once). */
  readonly vmm?: { readonly swap: { readonly usedSlots: number } | null };
  /** The policy's lists with these processes' pages, when the system can tell (System.policyView). */
  policyView?(processes: readonly ViewedProcess[]): PolicyView | null;
}

export class Recorder {
  readonly series: TimeSeries = { samples: [], labels: {} };
  private readonly system: Observable;
  private readonly every: number;
  private nextAt = 0;
  /** Live processes followed, with their labels. */
  private readonly tracked = new Map<number, string>();
  /** Requests kept: those whose index is a multiple of `stride`. */
  private stride = 1;
  private requests = 0;
  /** The last point is the latest state, not a kept one: the next request replaces it. */
  private lastIsLatest = false;
  /** Kept points naming each pid: its label goes when none does (and the latest state does not either). */
  private readonly keptNaming = new Map<number, number>();

  /** Samples `system` every `every` accesses (when `maybeSample` is called past that point). */
  constructor(system: Observable, every: number) {
    this.system = system;
    this.every = Math.max(1, Math.floor(every));
  }

  /** Follow process `pid` under `label` while it runs. */
  track(pid: number, label: string): void {
    this.tracked.set(pid, label);
  }

  /** Stop following `pid` (it ended); a sample also drops a process it finds ended. */
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

  /** Takes a sample now: kept, or standing as the latest state until the next. */
  sample(): void {
    const samples = this.series.samples;
    if (this.lastIsLatest) this.forget(samples.pop() as Sample);
    const point = this.take();
    samples.push(point);
    this.lastIsLatest = this.requests % this.stride !== 0;
    this.requests++;
    if (!this.lastIsLatest) {
      for (const p of point.processes) this.keptNaming.set(p.pid, (this.keptNaming.get(p.pid) ?? 0) + 1);
      if (samples.length > MAX_SAMPLES) this.halve();
    }
    this.nextAt = point.accesses + this.every;
  }

  /** The state now: the counters, the processes with the most resident pages and the others' sums. */
  private take(): Sample {
    const s = this.system.stats();
    const top: ProcessSample[] = [];
    const others = { count: 0, resident: 0, workingSet: 0, swapped: 0 };
    let swapped = 0;
    for (const pid of this.tracked.keys()) {
      const info = this.system.process(pid);
      if (info.status.state !== "running") {
        this.tracked.delete(pid);
        continue;
      }
      swapped += info.swapped;
      const dropped = keepLargest(top, { pid, resident: info.resident, workingSet: info.wsPages, swapped: info.swapped });
      if (dropped !== null) addTo(others, dropped);
    }
    top.sort((a, b) => a.pid - b.pid);
    for (const p of top) this.series.labels[p.pid] = this.tracked.get(p.pid) ?? `pid ${p.pid}`;
    return {
      accesses: s.accesses,
      references: s.references,
      ticks: s.ticks,
      faults: { ...s.faults },
      tlbHits: s.tlb.hits,
      tlbMisses: s.tlb.misses,
      pswpin: s.vmstat.pswpin,
      pswpout: s.vmstat.pswpout,
      swapPages: this.system.vmm?.swap?.usedSlots ?? swapped,
      psi: s.psi,
      ...this.listsOf(top),
      processes: top,
      others,
    };
  }

  /** `{lists}` with the pages of the processes `top` names when the policy has lists, else nothing (the key is left out). */
  private listsOf(top: readonly ProcessSample[]): { lists?: PolicyView } {
    if (this.system.policyView === undefined) return {};
    const viewed: ViewedProcess[] = top.map((p) => ({
      pid: p.pid,
      name: this.series.labels[p.pid],
      pdPhys: this.system.process(p.pid).pdPhys ?? 0,
    }));
    const view = this.system.policyView(viewed);
    return view === null ? {} : { lists: view };
  }

  /** Merges neighbouring points: the kept ones are requests 0, s, 2s, ...; those at 0, 2s, 4s, ... stay. */
  private halve(): void {
    const samples = this.series.samples;
    let n = 0;
    for (let i = 0; i < samples.length; i++) {
      if (i % 2 === 0) samples[n++] = samples[i];
      else this.release(samples[i]);
    }
    samples.length = n;
    this.stride *= 2;
  }

  /** A kept point is gone: the labels of pids no other point names go too. */
  private release(point: Sample): void {
    for (const p of point.processes) {
      const left = (this.keptNaming.get(p.pid) ?? 1) - 1;
      if (left > 0) this.keptNaming.set(p.pid, left);
      else {
        this.keptNaming.delete(p.pid);
        delete this.series.labels[p.pid];
      }
    }
  }

  /** The latest state is replaced: the labels of pids no kept point names go. */
  private forget(point: Sample): void {
    for (const p of point.processes) if (!this.keptNaming.has(p.pid)) delete this.series.labels[p.pid];
  }
}

/**
 * Puts `p` among the PROCESSES_KEPT largest of `top` (by resident pages; on
 * a tie the one already there stays); returns the process that no longer
 * fits (`p` or one pushed out), or null.
 */
function keepLargest(top: ProcessSample[], p: ProcessSample): ProcessSample | null {
  if (top.length === PROCESSES_KEPT && p.resident <= top[top.length - 1].resident) return p;
  let i = top.length;
  while (i > 0 && top[i - 1].resident < p.resident) i--;
  top.splice(i, 0, p);
  return top.length > PROCESSES_KEPT ? (top.pop() as ProcessSample) : null;
}

function addTo(others: { count: number; resident: number; workingSet: number; swapped: number }, p: ProcessSample): void {
  others.count++;
  others.resident += p.resident;
  others.workingSet += p.workingSet;
  others.swapped += p.swapped;
}
