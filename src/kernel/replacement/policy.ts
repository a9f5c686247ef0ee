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
}

/** Belady's OPT needs to know when each page is next used. */
export interface FutureKnowledge {
  /** Reference index (0-based) of the next use of `key` after the current reference, or Infinity. */
  nextUse(key: number): number;
}
