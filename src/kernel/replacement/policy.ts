/**
 * Page replacement policies see frames and one question, "was it referenced
 * since you last asked?" — never PTE bits. The VMM answers through the
 * Accessed bits of every PTE that maps the frame (found by the reverse map);
 * the policy-only replay engine answers from a plain bit array. So one
 * implementation of each policy serves both, and adding a policy is one file
 * plus one line in `index.ts`.
 *
 * Frames are physical frame numbers of resident user pages. `key` names the
 * page's contents (address space and virtual page, or a trace's page number)
 * so that policies with history of evicted pages (ARC, S3-FIFO ghosts) can
 * recognise a page when it comes back.
 */

export interface ReplacementHost {
  /** True if the frame was referenced since the last call; clears the Accessed bits. */
  testAndClearReferenced(pfn: number): boolean;
  /**
   * MGLRU's aging walk, for hosts that can do it: every referenced frame is
   * reported to `sink` (once per mapping that referenced it) and its
   * Accessed bits cleared. The VMM walks each address space's page tables,
   * skipping tables whose directory entry was not accessed, as Linux's
   * walk_mm does; a host without it leaves MGLRU to the rmap checks.
   */
  harvestReferenced?(sink: ReferencedFrameSink): void;
}

/** Told of each frame an aging walk found referenced. */
export interface ReferencedFrameSink {
  referencedFrame(pfn: number): void;
}

/**
 * Working-set detection (mm/workingset.c), for policies that keep it: a
 * shadow entry per evicted page, kept with its swap slot by the VMM (by page
 * in the policy-only replay), handed back when the page is read in again.
 * Hosts check for it once, so other policies pay nothing.
 */
export interface WorkingSetHooks {
  /**
   * The resident frame `pfn` is being evicted (before `remove`): records the
   * eviction and returns its shadow entry, an integer in [0, 2^53).
   */
  evicted(pfn: number): number;
  /**
   * The page about to be inserted into `pfn` was read back from swap and its
   * slot held `shadow` (workingset_refault): called right before `insert`.
   */
  refault(pfn: number, shadow: number): void;
}

export interface ReplacementPolicy {
  readonly name: string;
  /**
   * True when the policy must see every reference (exact LRU, ARC, SIEVE...):
   * the caller then calls `reference` on each access. Policies built only on
   * Accessed bits (CLOCK, FIFO) say false and cost nothing per access.
   */
  readonly observesReferences: boolean;
  /** Frame `pfn` now holds the page `key` and is resident. */
  insert(pfn: number, key: number): void;
  /** Frame `pfn` is no longer resident (unmapped, freed, or evicted). */
  remove(pfn: number): void;
  /** An access to resident frame `pfn` (called only if `observesReferences`). */
  reference(pfn: number): void;
  /**
   * Accesses to the resident frames `frames[0..count)`, in that order: the
   * same as `reference` on each, told in one call (a policy-only replay
   * passes the hits between two misses). Optional. A built-in policy
   * implements it as a loop of its own class's: one loop shared by every
   * policy sees them all at its `reference` call, which V8 then leaves
   * megamorphic (not inlined, looked up per call), and a replay of the
   * second policy in a process ran ~1.5x slower than the first.
   */
  referenceAll?(frames: Int32Array, count: number): void;
  /**
   * Chooses the frame to evict, or -1 when nothing is resident. The policy
   * keeps the victim until `remove` is called; if eviction fails the caller
   * calls `keep(pfn)` and asks again, so a policy must not offer the same
   * frame forever: vmm386's policies offer every resident frame exactly once
   * in `size` consecutive selectVictim/keep rounds.
   *
   * `incomingKey` is the key of the page the frame is wanted for, when the
   * caller knows it (a fault handler does). Policies with ghost histories
   * (ARC, S3-FIFO) look it up before choosing, as libCacheSim does; without
   * it they look it up at `insert`, after the choice (see docs/policies.md).
   */
  selectVictim(incomingKey?: number): number;
  /** Eviction of `pfn` failed (say, a swap write error): treat it as recently used. */
  keep(pfn: number): void;
  /** Frames currently tracked. */
  readonly size: number;
  /** Shadow entries and refault detection, if the policy keeps them (linux, mglru). */
  readonly workingSet?: WorkingSetHooks;
}

/** What a policy is built from. */
export interface PolicyOptions {
  /** The largest frame number + 1 the policy may be given (for typed-array sizing). */
  readonly maxFrames: number;
  /** Resident capacity in pages, when known (ARC and S3-FIFO size their queues by it). */
  readonly capacity: number;
  readonly host: ReplacementHost;
  /** For OPT: the position of each future reference is given by the replay engine. */
  readonly future?: FutureKnowledge;
  /** Tunables by key (see each policy's parameter table); absent keys take their defaults. */
  readonly params?: Readonly<Record<string, number>>;
  /** The host's clock in timer ticks (MGLRU's generation birth times and min_ttl); absent: always 0. */
  readonly clock?: { readonly now: number };
  /**
   * Where the host keeps its /proc/vmstat counters: a policy that counts
   * LRU-list and working-set events adds them there (`workingSetStatIn`);
   * absent, it keeps its own.
   */
  readonly counters?: Partial<WorkingSetStat>;
}

/** The /proc/vmstat events of the LRU lists and working-set detection (mm/vmscan.c, mm/workingset.c). */
export interface WorkingSetStat {
  /** Pages read back from swap whose slot held a shadow entry. */
  workingset_refault_anon: number;
  /** Refaulted pages activated (refault distance within the workingset; MGLRU: evicted from the current oldest generation). */
  workingset_activate_anon: number;
  /** Activated refaults that were active (workingset) when evicted. */
  workingset_restore_anon: number;
  /** Pages moved to the active list by reclaim's reference check. */
  pgactivate: number;
  /** Pages moved from the active to the inactive list. */
  pgdeactivate: number;
}

/** `counters` (or a new object) with every working-set counter present, the missing ones at 0. */
export function workingSetStatIn(counters: Partial<WorkingSetStat> | undefined): WorkingSetStat {
  const c = counters ?? {};
  c.workingset_refault_anon ??= 0;
  c.workingset_activate_anon ??= 0;
  c.workingset_restore_anon ??= 0;
  c.pgactivate ??= 0;
  c.pgdeactivate ??= 0;
  return c as WorkingSetStat;
}

/** Belady's OPT needs to know when each page is next used. */
export interface FutureKnowledge {
  /** Reference index (0-based) of the next use of `key` after the current reference, or Infinity. */
  nextUse(key: number): number;
}
