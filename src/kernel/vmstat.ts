/**
 * Counters of the VMM, in two groups so that a reader comparing with Linux
 * can trust every name in the first:
 *
 * - `VmStat`: only counters that count what the /proc/vmstat event of the
 *   same name counts (mm/vmstat.c vmstat_text, include/linux/vm_event_item.h).
 *   A counter goes here only under Linux's exact name and meaning.
 * - `Vmm386Stat`: counters of events Linux does not count, or counts under
 *   no name of its own; named by vmm386.
 *
 * Plus the per-kind fault counts of the seed's handler.
 */

/** Event counters (monotonic) that /proc/vmstat has under the same names. */
export interface VmStat {
  /** Pages read from swap. */
  pswpin: number;
  /** Pages written to swap. */
  pswpout: number;
  /** Frames allocated (user pages, page tables, kernel pages); EYN-OS has one zone, Linux's ZONE_NORMAL. */
  pgalloc_normal: number;
  /** Frames freed. */
  pgfree: number;
  /**
   * Page faults handled, of every kind, and pages pre-faulted by copy-out.
   * Linux leaves out faults refused before handle_mm_fault (no VMA, access
   * error); here those count too.
   */
  pgfault: number;
  /** Major faults: a page read back from swap. */
  pgmajfault: number;
  /** Copy-on-write faults where the writer was the last sharer and took the frame without a copy (Linux 5.10+, wp_page_reuse). */
  pgreuse: number;
  /**
   * Pages evicted by an allocation that found no free frame or the user-frame
   * limit reached: direct reclaim, in the allocating context (there is no
   * kswapd). The limit counts as the machine's size, not as a cgroup's limit,
   * whose reclaim Linux leaves out of /proc/vmstat.
   */
  pgsteal_direct: number;
  /** Pages evicted by `Vmm.reclaim`, Linux's memory.reclaim (Linux 6.15+; before, counted as direct). */
  pgsteal_proactive: number;
  /** Frames the replacement policy offered to direct reclaim as victims, including those kept. */
  pgscan_direct: number;
  /** Frames the replacement policy offered to `Vmm.reclaim` as victims, including those kept (Linux 6.15+). */
  pgscan_proactive: number;
  /**
   * The LRU-list and working-set events (replacement/policy.ts
   * WorkingSetStat), present only under the policies that keep them
   * (linux, mglru): another policy has no lists or shadows to count.
   */
  workingset_refault_anon?: number;
  workingset_activate_anon?: number;
  workingset_restore_anon?: number;
  pgactivate?: number;
  pgdeactivate?: number;
}

/** Event counters (monotonic) of vmm386 only: /proc/vmstat has no equivalent. */
export interface Vmm386Stat {
  /** Copy-on-write faults that copied the page (vmm386; no /proc/vmstat equivalent: Linux counts only the reuses, pgreuse). */
  cow_copy: number;
  /**
   * Faults on an entry that already allowed the access: the CPU used a TLB
   * entry cached before the rights were raised without INVLPG (SDM
   * 4.10.4.3); the entry was dropped and the access retried (vmm386; Linux
   * counts these only in pgfault).
   */
  spurious_fault: number;
  /** Swap-in faults resolved from the swap cache: the frame another sharer read is mapped, no read (vmm386; no /proc/vmstat equivalent). */
  swapcache_hit: number;
  /** Evictions of a swap-cache page equal to its slot: the slot is reused, nothing written (vmm386; no /proc/vmstat equivalent). */
  swapout_clean: number;
  /** Victims whose eviction failed (swap full or write error) and stayed resident (vmm386; no /proc/vmstat equivalent). */
  evict_failed: number;
  /** Swap-ins that failed (read error): the process was killed (vmm386; no /proc/vmstat equivalent). */
  swpin_failed: number;
  /** Swap slots retired after a failed write, never used again (vmm386; no /proc/vmstat equivalent: Linux keeps bad pages in the swap map). */
  swap_bad_slots: number;
  /**
   * Frame allocations that failed after eviction could free nothing (vmm386;
   * no /proc/vmstat equivalent: Linux's oom_kill counts tasks its OOM killer
   * chose; here the allocation fails and its caller copes, the faulting
   * process killed or the call refused).
   */
  alloc_failed: number;
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
    pswpin: 0,
    pswpout: 0,
    pgalloc_normal: 0,
    pgfree: 0,
    pgfault: 0,
    pgmajfault: 0,
    pgreuse: 0,
    pgsteal_direct: 0,
    pgsteal_proactive: 0,
    pgscan_direct: 0,
    pgscan_proactive: 0,
  };
}

export function newVmm386Stat(): Vmm386Stat {
  return {
    cow_copy: 0,
    spurious_fault: 0,
    swapcache_hit: 0,
    swapout_clean: 0,
    evict_failed: 0,
    swpin_failed: 0,
    swap_bad_slots: 0,
    alloc_failed: 0,
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
