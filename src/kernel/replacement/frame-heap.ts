/**
 * A binary min-heap of frame numbers keyed by (primary, secondary), both
 * numbers the owning policy writes into `primary[frame]` and
 * `secondary[frame]` before `push` or `update`. Typed arrays, sized once:
 * no allocation, and one concrete class, so the comparisons stay
 * monomorphic whichever policy uses it (OPT keys by −next use, LFU by count
 * then the time the count was reached).
 *
 * It also keeps the policies' "held" frames (whose eviction failed, see
 * frame-lists.ts) out of the heap until `releaseHeld`.
 */
import { FrameLists, rotateHeld } from "./frame-lists.js";

const HELD = 0;

export class FrameHeap {
  readonly primary: Float64Array;
  readonly secondary: Float64Array;
  /** heap[i] is a frame; position[frame] is its index in heap, or -1. */
  private readonly heap: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  private readonly held: FrameLists;

  constructor(maxFrames: number) {
    this.held = new FrameLists(maxFrames, 1);
    this.primary = new Float64Array(maxFrames);
    this.secondary = new Float64Array(maxFrames);
    this.heap = new Int32Array(maxFrames);
    this.position = new Int32Array(maxFrames).fill(-1);
  }

  /** Frames in the heap or held. */
  get size(): number {
    return this.count + this.held.size(HELD);
  }

  /** The frame to evict: the least key, or when every frame is held, the held ones in turn; -1 when empty. */
  victim(): number {
    return this.count > 0 ? this.heap[0] : rotateHeld(this.held);
  }

  /** Takes `frame` out of the heap into the held list (no-op if it is not in the heap). */
  hold(frame: number): void {
    if (this.position[frame] < 0) return;
    this.remove(frame);
    this.held.pushHead(HELD, frame);
  }

  /** Every held frame back into the heap, with the keys it has. */
  releaseHeld(): void {
    for (let f = this.held.tail(HELD); f >= 0; f = this.held.tail(HELD)) {
      this.held.remove(f);
      this.push(f);
    }
  }

  /** Takes `frame` out of the heap or the held list. */
  unlink(frame: number): void {
    if (this.position[frame] >= 0) this.remove(frame);
    else this.held.remove(frame);
  }

  /** Adds `frame` (not in the heap) with its current keys. */
  push(frame: number): void {
    const i = this.count++;
    this.heap[i] = frame;
    this.position[frame] = i;
    this.siftUp(i);
  }

  /** Takes `frame` out; no-op if it is not in the heap. */
  remove(frame: number): void {
    const i = this.position[frame];
    if (i < 0) return;
    this.position[frame] = -1;
    const last = this.heap[--this.count];
    if (i === this.count) return;
    this.heap[i] = last;
    this.position[last] = i;
    this.siftDown(i);
    this.siftUp(this.position[last]);
  }

  /** Restores the order after `frame`'s key grew (it sinks); no-op if it is not in the heap. */
  keyGrew(frame: number): void {
    const i = this.position[frame];
    if (i >= 0) this.siftDown(i);
  }

  /** Restores the order after `frame`'s key shrank (it rises); no-op if it is not in the heap. */
  keyShrank(frame: number): void {
    const i = this.position[frame];
    if (i >= 0) this.siftUp(i);
  }

  /** True when frame a comes out before frame b. */
  private before(a: number, b: number): boolean {
    const pa = this.primary[a];
    const pb = this.primary[b];
    return pa < pb || (pa === pb && this.secondary[a] < this.secondary[b]);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const f = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pf = heap[parent];
      if (!this.before(f, pf)) break;
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
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(heap[child + 1], heap[child])) child++;
      const cf = heap[child];
      if (!this.before(cf, f)) break;
      heap[i] = cf;
      this.position[cf] = i;
      i = child;
    }
    heap[i] = f;
    this.position[f] = i;
  }
}
