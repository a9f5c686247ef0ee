/**
 * Counters of the VMM, named as Linux's /proc/vmstat names them where such a
 * name exists, plus the per-kind fault counts of the seed's handler.
 */

/** Event counters (monotonic), /proc/vmstat names. */
export interface VmStat {
  /** Page faults handled, of every kind (resolved or not). */
  pgfault: number;
  /** Major faults: a page read back from swap. */
  pgmajfault: number;
  /** Pages read from swap. */
  pswpin: number;
  /** Pages written to swap. */
  pswpout: number;
  /** Swap-in faults resolved from the swap cache: the frame another sharer read is mapped, no read. */
  swapcache_hit: number;
  /** Evictions of a swap-cache page equal to its slot: the slot is reused, nothing written. */
  swapout_clean: number;
  /** Frames allocated (user pages, page tables, kernel pages). */
  pgalloc: number;
  /** Frames freed. */
  pgfree: number;
  /** Pages reclaimed by eviction. */
  pgsteal: number;
  /** Frames the replacement policy offered as victims (including those kept). */
  pgscan: number;
  /** Copy-on-write faults that copied the page. */
  cow_copy: number;
  /** Copy-on-write faults where the writer was the last sharer (no copy). */
  cow_reuse: number;
  /** Victims whose eviction failed (swap full or write error) and stayed resident. */
  evict_failed: number;
  /** Swap-ins that failed (read error): the process was killed. */
  swpin_failed: number;
  /** Swap slots retired after a failed write, never used again (no /proc/vmstat name; Linux keeps bad pages in the swap map). */
  swap_bad_slots: number;
  /** Allocations that failed after eviction could free nothing. */
  oom: number;
}

/** Faults by how the handler resolved them (seed part 6). */
export interface FaultCounts {
  demandZero: number;
  swapIn: number;
  cow: number;
  stack: number;
  heap: number;
  segv: number;
}

export function newVmStat(): VmStat {
  return {
    pgfault: 0,
    pgmajfault: 0,
    pswpin: 0,
    pswpout: 0,
    swapcache_hit: 0,
    swapout_clean: 0,
    pgalloc: 0,
    pgfree: 0,
    pgsteal: 0,
    pgscan: 0,
    cow_copy: 0,
    cow_reuse: 0,
    evict_failed: 0,
    swpin_failed: 0,
    swap_bad_slots: 0,
    oom: 0,
  };
}

export function newFaultCounts(): FaultCounts {
  return { demandZero: 0, swapIn: 0, cow: 0, stack: 0, heap: 0, segv: 0 };
}

/** A /proc/meminfo-like snapshot, in kB as Linux prints it. */
export interface MemInfo {
  MemTotal: number;
  MemFree: number;
  /** Resident user pages (all anonymous here: the seed has no file-backed pager). */
  AnonPages: number;
  PageTables: number;
  /** Kernel pages (boot allocations, kernel heap). */
  KernelPages: number;
  SwapTotal: number;
  SwapFree: number;
}
