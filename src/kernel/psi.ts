/**
 * Pressure stall information for memory (kernel/sched/psi.c,
 * Documentation/accounting/psi.rst), on a swap-latency model.
 *
 * The model: a process waits `readTicks` for each page read back from swap
 * (a major fault) and `writeTicks` for each page written by the direct
 * reclaim its allocation ran (eviction here is synchronous, in the faulting
 * context). That wait is its stall: its stalled time is the sum, however
 * the clock runs. PSI turns the waits into pressure over time: on each
 * timer tick a process stalls for what it still owes, at most the whole
 * tick (psi.c punts overage into the next period the same way), its stalls
 * aligned at the start of the tick. On one CPU (EYN-OS runs on one),
 * "some" is the share of the tick in which any process was stalled, the
 * longest stall, and "full" the share in which every live process was,
 * the shortest; every live process counts as non-idle.
 *
 * The averages are psi.c's: every PSI_FREQ (2 s; here a tick stands for a
 * second, so 2 ticks) the period's stall percentage (whole percent, as
 * div_u64 gives it) feeds calc_load with EXP_10s, EXP_60s and EXP_300s in
 * 11-bit fixed point, printed as /proc/pressure/memory prints them. Each
 * process also has averages of its own, as a cgroup holding one task has
 * (some = full = its own stall share): the PSI-triggered throttle reads
 * them.
 *
 * Unlike Linux, a swap-in's wait always counts as a memory stall (Linux
 * counts it under memory only for a workingset page, else as IO pressure),
 * and a stall does not stop the process running: it is accounted, not
 * enforced (a scenario's turns have no duration).
 */

import type { AddressSpace } from "./address-space-record.js";

/** Ticks a process waits for one page of swap I/O. */
export interface SwapLatency {
  readonly readTicks: number;
  readonly writeTicks: number;
}

/**
 * A 7,200 rpm disk's random 4 KiB access: about 8.5 ms of average seek and
 * 4.2 ms of half a rotation, ~12 ms for a read or a write, a tick
 * standing for a second.
 */
export const DEFAULT_SWAP_LATENCY: SwapLatency = { readTicks: 0.012, writeTicks: 0.012 };

/** psi.c's PSI_FREQ (2 s) in ticks: the averages' sampling period. */
export const PSI_PERIOD_TICKS = 2;
const FSHIFT = 11;
const FIXED_1 = 1 << FSHIFT;
/** 1/exp(2s/10s), 1/exp(2s/60s), 1/exp(2s/300s) in fixed point. */
const EXP = [1677, 1981, 2034] as const;

/** One line of /proc/pressure/memory: averages in percent, total stall in microseconds. */
export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  readonly total: number;
}

export interface Pressure {
  readonly some: PressureLine;
  readonly full: PressureLine;
}

/** calc_load of include/linux/sched/loadavg.h: one step of an exponential average in fixed point. */
function calcLoad(load: number, exp: number, active: number): number {
  let next = load * exp + active * (FIXED_1 - exp);
  if (active >= load) next += FIXED_1 - 1;
  return Math.floor(next / FIXED_1);
}

/** A fixed-point average as psi_show prints it: LOAD_INT.LOAD_FRAC, two decimals. */
function percent(avg: number): number {
  return (avg >> FSHIFT) + Math.floor(((avg & (FIXED_1 - 1)) * 100) >> FSHIFT) / 100;
}

/**
 * Times are kept in whole microseconds of a tick (a tick standing for a
 * second, as psi.c keeps nanoseconds), so sums of latencies stay exact.
 */
const US_PER_TICK = 1_000_000;

/** `ticks` as whole microseconds. */
function us(ticks: number): number {
  return Math.round(ticks * US_PER_TICK);
}

/** The running averages and totals of one stall state (some or full) of one group. */
class StallState {
  /** avg10, avg60, avg300 in fixed point. */
  readonly avg = new Float64Array(3);
  /** Stalled microseconds so far. */
  total = 0;
  private period = 0;

  /** `stalled` microseconds (at most a tick) of stall in the tick just ended. */
  record(stalled: number): void {
    this.total += stalled;
    this.period += stalled;
  }

  /** calc_avgs at the end of a period of `ticks` ticks: its whole-percent share into each average. */
  endPeriod(ticks: number): void {
    const pct = Math.floor((this.period * 100) / (ticks * US_PER_TICK)) * FIXED_1;
    for (let i = 0; i < 3; i++) this.avg[i] = calcLoad(this.avg[i], EXP[i], pct);
    this.period = 0;
  }

  line(): PressureLine {
    return { avg10: percent(this.avg[0]), avg60: percent(this.avg[1]), avg300: percent(this.avg[2]), total: this.total };
  }
}

/** A PSI group: the system, or one process as a cgroup of one task. */
export class PsiGroup {
  readonly some = new StallState();
  readonly full = new StallState();
  private ticksInPeriod = 0;

  /** One tick's some and full stall, in microseconds. */
  record(some: number, full: number): void {
    this.some.record(some);
    this.full.record(full);
    if (++this.ticksInPeriod < PSI_PERIOD_TICKS) return;
    this.some.endPeriod(PSI_PERIOD_TICKS);
    this.full.endPeriod(PSI_PERIOD_TICKS);
    this.ticksInPeriod = 0;
  }

  pressure(): Pressure {
    return { some: this.some.line(), full: this.full.line() };
  }

  /** some avg10 in percent, as a trigger or systemd-oomd reads it. */
  get someAvg10(): number {
    return percent(this.some.avg[0]);
  }
}

/** A process's side: its group, the stall it owes the clock, and all the stall it was charged (microseconds). */
class ProcessPsi extends PsiGroup {
  owed = 0;
  charged = 0;
}

/** The memory PSI of one kernel: the system group and one per live user space. */
export class Psi {
  readonly latency: SwapLatency;
  readonly system = new PsiGroup();
  private readonly bySpace = new Map<number, ProcessPsi>();
  private lastTick = 0;

  private readonly readUs: number;
  private readonly writeUs: number;

  constructor(latency: SwapLatency) {
    this.latency = latency;
    this.readUs = us(latency.readTicks);
    this.writeUs = us(latency.writeTicks);
  }

  /** `space` waits for a page read back from swap. */
  chargeRead(space: AddressSpace): void {
    this.charge(space.id, this.readUs);
  }

  /** `space` waits for a page its reclaim wrote to swap. */
  chargeWrite(space: AddressSpace): void {
    this.charge(space.id, this.writeUs);
  }

  /** Stall ticks charged to space `id` so far (0 if none). */
  stalledTicks(id: number): number {
    return (this.bySpace.get(id)?.charged ?? 0) / US_PER_TICK;
  }

  /** The pressure of space `id` alone (a cgroup of one task), or null if it never stalled. */
  groupOf(id: number): PsiGroup | null {
    return this.bySpace.get(id) ?? null;
  }

  /** Advances to tick `now`: each tick, every live space in `spaces` serves what it owes. */
  tick(now: number, spaces: Iterable<AddressSpace>): void {
    for (; this.lastTick < now; this.lastTick++) this.oneTick(spaces);
  }

  private oneTick(spaces: Iterable<AddressSpace>): void {
    let some = 0;
    let full = US_PER_TICK;
    let live = 0;
    for (const space of spaces) {
      const p = this.process(space.id);
      const stalled = Math.min(US_PER_TICK, p.owed);
      p.owed -= stalled;
      p.record(stalled, stalled);
      if (stalled > some) some = stalled;
      if (stalled < full) full = stalled;
      live++;
    }
    this.system.record(some, live === 0 ? 0 : full);
  }

  /** Forgets the group of a space that is gone (its charged total is read before). */
  forget(id: number): void {
    this.bySpace.delete(id);
  }

  private charge(id: number, micros: number): void {
    const p = this.process(id);
    p.owed += micros;
    p.charged += micros;
  }

  private process(id: number): ProcessPsi {
    let p = this.bySpace.get(id);
    if (p === undefined) {
      p = new ProcessPsi();
      this.bySpace.set(id, p);
    }
    return p;
  }
}

/**
 * Which throttle decides that a process is thrashing: the seed's (over 50
 * faults in a 100-tick window) or one on PSI, as a trigger or
 * systemd-oomd's ManagedOOMMemoryPressureLimit uses it: the process's own
 * memory pressure, some avg10, at or above `someAvg10` percent.
 */
export type ThrottleRule = { readonly kind: "seed" } | { readonly kind: "psi"; readonly someAvg10: number };

/** systemd-oomd's default ManagedOOMMemoryPressureLimit: 60 %. */
export const DEFAULT_PSI_THRESHOLD = 60;

/** The PSI throttle: `id`'s own some avg10 has reached `threshold` percent. */
export function psiShouldThrottle(psi: Psi, id: number, threshold: number): boolean {
  const group = psi.groupOf(id);
  return group !== null && group.someAvg10 >= threshold;
}

/** The two lines of /proc/pressure/memory. */
export function formatPressure(p: Pressure): string {
  const line = (name: string, l: PressureLine): string =>
    `${name} avg10=${l.avg10.toFixed(2)} avg60=${l.avg60.toFixed(2)} avg300=${l.avg300.toFixed(2)} total=${l.total}`;
  return `${line("some", p.some)}\n${line("full", p.full)}`;
}
