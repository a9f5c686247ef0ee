/**
 * OPT (Belady's MIN): on a fault, evict the resident page whose next use is
 * farthest in the future (never again counts as infinitely far); the faulting
 * page is always loaded. Equals libCacheSim `Belady`, OSTEP `OPT` and pagesim
 * `OPT`. Ties can only be between pages never used again, and which of those
 * goes does not change the fault count.
 *
 * It needs `options.future`, a next-use table: trace replay builds it from
 * the trace, a scenario from a recorded run (src/sim/scenario/opt-future.ts).
 * Frames sit in a binary max-heap keyed by next use:
 * O(log n) per reference and per eviction, no allocation.
 */
import { FrameLists, rotateHeld } from "./frame-lists.js";
import type { FutureKnowledge, PolicyOptions, ReplacementPolicy } from "./policy.js";

const HELD = 0;

export class OptPolicy implements ReplacementPolicy {
  readonly name = "opt";
  readonly observesReferences = true;
  private readonly future: FutureKnowledge;
  private readonly keyOf: Float64Array;
  /** Next use of each frame's page (heap key). */
  private readonly nextUse: Float64Array;
  /** heap[i] is a frame; position[frame] is its index in heap, or -1. */
  private readonly heap: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  /** Frames whose eviction failed since the last successful one, out of the heap. */
  private readonly held: FrameLists;
  private offered = -1;

  constructor(options: PolicyOptions) {
    if (!options.future) throw new Error("the opt policy needs options.future (a trace's reference string, or a scenario's recorded run)");
    this.future = options.future;
    this.keyOf = new Float64Array(options.maxFrames);
    this.nextUse = new Float64Array(options.maxFrames);
    this.heap = new Int32Array(options.maxFrames);
    this.position = new Int32Array(options.maxFrames).fill(-1);
    this.held = new FrameLists(options.maxFrames, 1);
  }

  get size(): number {
    return this.count + this.held.size(HELD);
  }

  insert(pfn: number, key: number): void {
    this.unlink(pfn);
    this.keyOf[pfn] = key;
    this.push(pfn, this.future.nextUse(key));
  }

  /** Removing the offered victim is a successful eviction: held frames rejoin the heap. */
  remove(pfn: number): void {
    this.unlink(pfn);
    if (pfn !== this.offered) return;
    this.offered = -1;
    for (let f = this.held.tail(HELD); f >= 0; f = this.held.tail(HELD)) {
      this.held.remove(f);
      this.push(f, this.nextUse[f]);
    }
  }

  /** The page was used now: its next use moves later, so it rises in the heap. */
  reference(pfn: number): void {
    this.nextUse[pfn] = this.future.nextUse(this.keyOf[pfn]);
    const i = this.position[pfn];
    if (i >= 0) this.siftUp(i);
  }

  selectVictim(_incomingKey?: number): number {
    return (this.offered = this.count > 0 ? this.heap[0] : rotateHeld(this.held));
  }

  /** A frame that could not be evicted is held out of the heap until the next eviction succeeds. */
  keep(pfn: number): void {
    if (this.position[pfn] < 0) return;
    this.removeFromHeap(pfn);
    this.held.pushHead(HELD, pfn);
    if (pfn === this.offered) this.offered = -1;
  }

  /** Takes `pfn` out of the heap or the held list. */
  private unlink(pfn: number): void {
    if (this.position[pfn] >= 0) this.removeFromHeap(pfn);
    else this.held.remove(pfn);
  }

  private push(pfn: number, nextUse: number): void {
    this.nextUse[pfn] = nextUse;
    const i = this.count++;
    this.heap[i] = pfn;
    this.position[pfn] = i;
    this.siftUp(i);
  }

  private removeFromHeap(pfn: number): void {
    const i = this.position[pfn];
    this.position[pfn] = -1;
    const last = this.heap[--this.count];
    if (i === this.count) return;
    this.heap[i] = last;
    this.position[last] = i;
    this.siftDown(i);
    this.siftUp(this.position[last]);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const f = heap[i];
    const v = this.nextUse[f];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pf = heap[parent];
      if (this.nextUse[pf] >= v) break;
      heap[i] = pf;
      this.position[pf] = i;
      i = parent;
    }
    heap[i] = f;
    this.position[f] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.count;
    const f = heap[i];
    const v = this.nextUse[f];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.nextUse[heap[child + 1]] > this.nextUse[heap[child]]) child++;
      const cf = heap[child];
      if (this.nextUse[cf] <= v) break;
      heap[i] = cf;
      this.position[cf] = i;
      i = child;
    }
    heap[i] = f;
    this.position[f] = i;
  }
}
