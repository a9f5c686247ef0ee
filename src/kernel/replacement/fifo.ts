/**
 * FIFO: evict the page loaded longest ago; references change nothing.
 * Equals libCacheSim `FIFO`, OSTEP `FIFO` and pagesim `FIFO`.
 */
import { FrameLists } from "./frame-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const QUEUE = 0;

export class FifoPolicy implements ReplacementPolicy {
  readonly name = "fifo";
  readonly observesReferences = false;
  private readonly queue: FrameLists;

  constructor(options: PolicyOptions) {
    this.queue = new FrameLists(options.maxFrames, 1);
  }

  get size(): number {
    return this.queue.size(QUEUE);
  }

  insert(pfn: number, _key: number): void {
    this.queue.remove(pfn);
    this.queue.pushHead(QUEUE, pfn);
  }

  remove(pfn: number): void {
    this.queue.remove(pfn);
  }

  reference(_pfn: number): void {
    // FIFO ignores references.
  }

  selectVictim(_incomingKey?: number): number {
    return this.queue.tail(QUEUE);
  }

  /** A frame that could not be evicted goes to the back of the queue. */
  keep(pfn: number): void {
    if (this.queue.listOf(pfn) >= 0) this.queue.moveToHead(QUEUE, pfn);
  }
}
