/**
 * OPT (Belady's MIN): on a fault, evict the resident page whose next use is
 * farthest in the future (never again counts as infinitely far); the faulting
 * page is always loaded. Equals libCacheSim `Belady`, OSTEP `OPT` and pagesim
 * `OPT`. Ties can only be between pages never used again, and which of those
 * goes does not change the fault count.
 *
 * It needs `options.future`, a next-use table: trace replay builds it from
 * the trace, a scenario from a recorded run (src/sim/scenario/opt-future.ts).
 * Frames sit in a binary heap keyed by next use (src/kernel/replacement/
 * frame-heap.ts): O(log n) per reference and per eviction, no allocation.
 */
import { FrameHeap } from "./frame-heap.js";
import type { FutureKnowledge, PolicyOptions, ReplacementPolicy } from "./policy.js";

export class OptPolicy implements ReplacementPolicy {
  readonly name = "opt";
  readonly observesReferences = true;
  private readonly future: FutureKnowledge;
  private readonly keyOf: Float64Array;
  /** A min-heap keyed by minus the next use (never again: −Infinity, first out). */
  private readonly heap: FrameHeap;
  private offered = -1;

  constructor(options: PolicyOptions) {
    if (!options.future) throw new Error("the opt policy needs options.future (a trace's reference string, or a scenario's recorded run)");
    this.future = options.future;
    this.keyOf = new Float64Array(options.maxFrames);
    this.heap = new FrameHeap(options.maxFrames);
  }

  get size(): number {
    return this.heap.size;
  }

  insert(pfn: number, key: number): void {
    this.heap.unlink(pfn);
    this.keyOf[pfn] = key;
    this.heap.primary[pfn] = -this.future.nextUse(key);
    this.heap.push(pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin the heap. */
  remove(pfn: number): void {
    this.heap.unlink(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    this.heap.releaseHeld();
  }

  /** The page was used now: its next use moves later, so it comes nearer to eviction. */
  reference(pfn: number): void {
    this.heap.primary[pfn] = -this.future.nextUse(this.keyOf[pfn]);
    this.heap.keyShrank(pfn);
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
