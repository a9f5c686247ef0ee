/**
 * FIFO: evict the page loaded longest ago; references change nothing.
 * Equals libCacheSim `FIFO`, OSTEP `FIFO` and pagesim `FIFO`.
 */
import { FrameLists, holdFrame, releaseHeld, rotateHeld } from "./frame-lists.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const QUEUE = 0;
/** Frames whose eviction failed since the last successful one. */
const HELD = 1;

export class FifoPolicy implements ReplacementPolicy {
  readonly name = "fifo";
  readonly observesReferences = false;
  private readonly queue: FrameLists;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.queue = new FrameLists(options.maxFrames, 2);
  }

  get size(): number {
    return this.queue.size(QUEUE) + this.queue.size(HELD);
  }

  insert(pfn: number, _key: number): void {
    this.queue.remove(pfn);
    this.queue.pushHead(QUEUE, pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin at the back. */
  remove(pfn: number): void {
    this.queue.remove(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    releaseHeld(this.queue, QUEUE);
  }

  reference(_pfn: number): void {
    // FIFO ignores references.
  }

  selectVictim(_incomingKey?: number): number {
    const f = this.queue.tail(QUEUE);
    return (this.offered = f >= 0 ? f : rotateHeld(this.queue));
  }

  /** A frame that could not be evicted is held back, then goes to the back of the queue. */
  keep(pfn: number): void {
    holdFrame(this.queue, pfn);
    if (pfn === this.offered) this.offered = -1;
  }
}
