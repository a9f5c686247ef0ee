/**
 * Exact LRU: evict the page referenced least recently. It must see every
 * reference (`observesReferences`), which costs a list move per access: the
 * list is doubly linked in typed arrays (see `FrameLists`), O(1) per step.
 * Equals libCacheSim `LRU`, OSTEP `LRU` and pagesim `LRU`.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const RECENCY = 0;
/** Frames whose eviction failed since the last successful one. */
const HELD = 1;

export class LruPolicy implements ReplacementPolicy {
  readonly name = "lru";
  readonly observesReferences = true;
  /** Head: most recently used; tail: least. */
  private readonly recency: FrameLists;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.recency = new FrameLists(options.maxFrames, 2);
  }

  get size(): number {
    return this.recency.size(RECENCY) + this.recency.size(HELD);
  }

  insert(pfn: number, _key: number): void {
    this.recency.remove(pfn);
    this.recency.pushHead(RECENCY, pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin as most recent. */
  remove(pfn: number): void {
    this.recency.remove(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    releaseHeld(this.recency, RECENCY);
  }

  /** Also brings a held frame back: it is in use. */
  reference(pfn: number): void {
    this.recency.moveToHead(RECENCY, pfn);
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(_incomingKey?: number): number {
    const f = this.recency.tail(RECENCY);
    return (this.offered = f >= 0 ? f : rotateHeld(this.recency));
  }

  keep(pfn: number): void {
    holdFrame(this.recency, pfn);
    if (pfn === this.offered) this.offered = -1;
  }
}
