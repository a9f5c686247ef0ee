/**
 * The address space record (seed: address_space_t): where its page directory
 * is, its heap break and stack bottom, its thread reference count and its
 * working-set fields. The page tables themselves live in simulated memory.
 */

export interface AddressSpace {
  /** Unique, never reused; 0 is the kernel's space. */
  readonly id: number;
  /** Physical address of the page directory (what CR3 holds). */
  readonly pdPhys: number;
  /** Current program break: [USER_HEAP_BASE, heapBreak) is the heap. */
  heapBreak: number;
  /** Lowest stack page mapped so far (stack grows down from USER_STACK_TOP). */
  stackBottom: number;
  /** Threads sharing the space; destroyed when it drops to zero. */
  refcount: number;
  /** Working-set estimate: pages referenced in the last sampling interval. */
  wsPages: number;
  /** Largest estimate so far, and how many samples were taken (a report samples less often than the kernel). */
  wsPeak: number;
  wsSamples: number;
  /** Faults in the current thrashing window. */
  faultCount: number;
  /** Tick of the last fault. */
  lastFaultTick: number;
  /** Tick at which the current thrashing window started. */
  windowStart: number;
  /** Faults over the space's life. */
  totalFaults: number;
  /** Present user pages mapped (resident set size, shared frames counted in each space). */
  rss: number;
  /**
   * SWAPPED entries (pages in swap, a slot shared by several spaces counted in
   * each). Kept where entries change state, as rss is, so that a report need
   * not walk the tables (the invariant checker recounts both).
   */
  swapped: number;
  /** False once destroyed. */
  alive: boolean;
}

/** A fresh record for the space `id` whose directory is at `pdPhys`. */
export function newAddressSpaceRecord(id: number, pdPhys: number, heapBreak: number, stackBottom: number): AddressSpace {
  return {
    id,
    pdPhys,
    heapBreak,
    stackBottom,
    refcount: 1,
    wsPages: 0,
    wsPeak: 0,
    wsSamples: 0,
    faultCount: 0,
    lastFaultTick: 0,
    windowStart: 0,
    totalFaults: 0,
    rss: 0,
    swapped: 0,
    alive: true,
  };
}
