/**
 * Exact LRU: evict the page referenced least recently. It must see every
 * reference (`observesReferences`), which costs a list move per access: the
 * list is doubly linked in typed arrays (see `FrameLists`), O(1) per step.
 * Equals libCacheSim `LRU`, OSTEP `LRU` and pagesim `LRU`.
 */
import { FrameLists } from "./frame-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const RECENCY = 0;

export class LruPolicy implements ReplacementPolicy {
  readonly name = "lru";
  readonly observesReferences = true;
  /** Head: most recently used; tail: least. */
  private readonly recency: FrameLists;

  constructor(options: PolicyOptions) {
    this.recency = new FrameLists(options.maxFrames, 1);
  }

  get size(): number {
    return this.recency.size(RECENCY);
  }

  insert(pfn: number, _key: number): void {
    this.recency.remove(pfn);
    this.recency.pushHead(RECENCY, pfn);
  }

  remove(pfn: number): void {
    this.recency.remove(pfn);
  }

  reference(pfn: number): void {
    this.recency.moveToHead(RECENCY, pfn);
  }

  selectVictim(_incomingKey?: number): number {
    return this.recency.tail(RECENCY);
  }

  keep(pfn: number): void {
    if (this.recency.listOf(pfn) >= 0) this.recency.moveToHead(RECENCY, pfn);
  }
}
