/**
 * LFU, as libCacheSim's `LFU`: evict the resident page referenced least
 * often since it was loaded (a new page counts 1, each hit adds 1; counts
 * are forgotten on eviction, and never age). Ties go to the page that
 * reached its count earliest: libCacheSim keeps one FIFO per count and
 * evicts the oldest entry of the lowest.
 *
 * Frames sit in a min-heap keyed by (count, stamp), the stamp being when
 * the page reached its count, which orders ties exactly as those FIFOs do.
 * A hit raises a key, so the frame sinks: O(log n) at worst, O(1) for the
 * hot pages that already sit at the bottom. No allocation.
 */
import { FrameHeap } from "./frame-heap.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

export class LfuPolicy implements ReplacementPolicy {
  readonly name = "lfu";
  readonly observesReferences = true;
  /** primary: the count; secondary: when the page reached it. */
  private readonly heap: FrameHeap;
  private clock = 0;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.heap = new FrameHeap(options.maxFrames);
  }

  get size(): number {
    return this.heap.size;
  }

  insert(pfn: number, _key: number): void {
    this.heap.unlink(pfn);
    this.heap.primary[pfn] = 1;
    this.heap.secondary[pfn] = ++this.clock;
    this.heap.push(pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin with their counts. */
  remove(pfn: number): void {
    this.heap.unlink(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    this.heap.releaseHeld();
  }

  reference(pfn: number): void {
    this.heap.primary[pfn]++;
    this.heap.secondary[pfn] = ++this.clock;
    this.heap.keyGrew(pfn);
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(_incomingKey?: number): number {
    return (this.offered = this.heap.victim());
  }

  /** A frame that could not be evicted is held out of the heap until the next eviction succeeds. */
  keep(pfn: number): void {
    this.heap.hold(pfn);
    if (pfn === this.offered) this.offered = -1;
  }
}
