/**
 * SHARDS (Waldspurger et al., FAST'15): the LRU miss-ratio curve estimated
 * from a spatial sample of the pages, at a small fraction of the cost.
 *
 * Sampled references run through an LRU stack of their own; a distance d
 * among sampled pages stands for 1 + (d - 1) / R pages of the whole trace
 * (each other sampled page standing for 1/R pages), and each sampled
 * reference for 1/R references. The estimate is then adjusted as the
 * paper's SHARDS_adj does: the difference between the trace's references
 * and the sample's weighted count goes to distance 1, since spatial
 * sampling keeps the reuse of each page but not the share of references
 * of the pages it happened to pick.
 *
 * Fixed rate: the threshold stays at R. Fixed size: at most `maxPages`
 * pages are tracked; when one more arrives, the page with the largest hash
 * leaves the sample and the threshold drops to its hash, so the rate
 * adapts to the trace, and each later reference weighs 1/R at the rate of
 * its time (as libCacheSim's mrcProfiler weighs them).
 */

import { LruStack, type StackHistogram } from "./lru-stack.js";
import { HASH_SPACE, pageHash, rateThreshold } from "./spatial-sample.js";

export interface ShardsOptions {
  /** Fixed-rate sampling at this rate in (0, 1]. */
  readonly rate?: number;
  /** Fixed-size sampling: at most this many sampled pages. */
  readonly maxPages?: number;
  /** Hash seed (default 0). */
  readonly seed?: number;
}

export class Shards {
  private readonly stack = new LruStack();
  private readonly seed: number;
  /** Pages whose hash is below it are sampled. */
  private threshold: number;
  /** The sampled pages (fixed size only), a max-heap by hash. */
  private readonly heap: PageHeap | null;
  /** counts[d]: weighted sampled references at scaled distance d. */
  private counts = new Float64Array(1024);
  private sampledWeight = 0;
  private coldWeight = 0;
  private references = 0;
  /** Sampled references, unweighted. */
  sampledReferences = 0;

  constructor(options: ShardsOptions) {
    this.seed = options.seed ?? 0;
    if (options.maxPages !== undefined) {
      this.threshold = HASH_SPACE;
      this.heap = new PageHeap(options.maxPages);
    } else {
      this.threshold = rateThreshold(options.rate ?? 1);
      this.heap = null;
    }
  }

  /** The sampling rate now (fixed size: as low as it has gone). */
  get rate(): number {
    return this.threshold / HASH_SPACE;
  }

  /** Pages in the sample now. */
  get sampledPages(): number {
    return this.stack.depth;
  }

  /** Samples the references of `pages`. */
  feed(pages: Int32Array): void {
    const seed = this.seed;
    for (let i = 0; i < pages.length; i++) {
      const p = pages[i];
      const h = pageHash(p, seed);
      if (h < this.threshold) this.sample(p, h);
    }
    this.references += pages.length;
  }

  private sample(page: number, hash: number): void {
    if (this.heap !== null && !this.stack.has(page) && !this.admit(page, hash)) return;
    const rate = this.threshold / HASH_SPACE;
    const weight = 1 / rate;
    this.sampledReferences++;
    this.sampledWeight += weight;
    const d = this.stack.access(page);
    if (d === 0) {
      this.coldWeight += weight;
      return;
    }
    const scaled = 1 + Math.round((d - 1) / rate);
    if (scaled >= this.counts.length) this.growCounts(scaled);
    this.counts[scaled] += weight;
  }

  /** Fixed size: takes a new page into the sample, dropping the largest hash when full; false if that was the new page. */
  private admit(page: number, hash: number): boolean {
    const heap = this.heap as PageHeap;
    heap.push(page, hash);
    if (heap.size <= heap.capacity) return true;
    const dropped = heap.popPage();
    this.threshold = heap.poppedHash;
    if (dropped === page) return false;
    this.stack.remove(dropped);
    return true;
  }

  private growCounts(distance: number): void {
    let size = this.counts.length;
    while (size <= distance) size *= 2;
    const counts = new Float64Array(size);
    counts.set(this.counts);
    this.counts = counts;
  }

  /** The estimated stack-distance histogram of the whole trace (SHARDS_adj). */
  histogram(): StackHistogram {
    let last = this.counts.length - 1;
    while (last > 1 && this.counts[last] === 0) last--;
    const counts = this.counts.slice(0, last + 1);
    if (counts.length > 1) counts[1] += this.references - this.sampledWeight;
    return { references: this.references, cold: this.coldWeight, counts };
  }
}

/** A max-heap of (hash, page) with room for one more than `capacity`. */
class PageHeap {
  private readonly hashes: Float64Array;
  private readonly pages: Int32Array;
  size = 0;
  /** The hash of the page `popPage` took last. */
  poppedHash = 0;

  constructor(readonly capacity: number) {
    this.hashes = new Float64Array(capacity + 1);
    this.pages = new Int32Array(capacity + 1);
  }

  push(page: number, hash: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.hashes[parent] >= hash) break;
      this.hashes[i] = this.hashes[parent];
      this.pages[i] = this.pages[parent];
      i = parent;
    }
    this.hashes[i] = hash;
    this.pages[i] = page;
  }

  /** Removes the page with the largest hash (its hash in `poppedHash`). */
  popPage(): number {
    const page = this.pages[0];
    this.poppedHash = this.hashes[0];
    const n = --this.size;
    const hash = this.hashes[n];
    const last = this.pages[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.hashes[child + 1] > this.hashes[child]) child++;
      if (this.hashes[child] <= hash) break;
      this.hashes[i] = this.hashes[child];
      this.pages[i] = this.pages[child];
      i = child;
    }
    this.hashes[i] = hash;
    this.pages[i] = last;
    return page;
  }
}
