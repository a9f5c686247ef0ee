/**
 * SHARDS (Waldspurger et al., FAST'15): the LRU miss-ratio curve estimated
 * from a spatial sample of the pages, with the head of the curve exact.
 *
 * The head: the `headDepth` most recent pages of the whole string sit in a
 * small array, most recent first, scanned on every reference as the exact
 * stack's top is. A reference found there at depth j has stack distance j,
 * counted exactly. A sample cannot see these: a page sampled alone takes a
 * reuse across 1/R - 1 unsampled pages for an immediate one, and the few
 * hot pages that carry most references are in a small sample or not, all
 * or nothing (Carra and Neglia, ATC'20, who also combine an exact part of
 * the curve with a sampled one). With headDepth 0 this is the paper's
 * SHARDS, but for the rule below that no bucket goes below zero.
 *
 * The tail: references to sampled pages run through an LRU stack of their
 * own. One that missed the head, found at distance d among sampled pages,
 * counts 1/R references at distance max(headDepth + 1, 1 + (d - 1)/R): the
 * hash samples each of the D - 1 pages above it in the whole stack with
 * chance R, whatever the trace, so d - 1 is binomial(D - 1, R) and
 * 1 + (d - 1)/R an unbiased estimate of its distance D, which the head has
 * shown to be deeper than headDepth. Then SHARDS_adj as the paper does it:
 * the exact count of references that missed the head, less the sample's
 * weighted count of them, goes to the first bucket of what is estimated,
 * headDepth + 1 — the sample's count strays mostly by the hot pages it
 * caught or missed, whose references are mostly short reuses. No bucket
 * goes below zero: an excess larger than the first is taken from the next.
 *
 * Fixed rate: the threshold stays at R. Fixed size: at most `maxPages`
 * pages are tracked; when one more arrives, the page with the largest hash
 * leaves the sample and the threshold drops to its hash, so the rate
 * adapts to the trace, and each later reference weighs 1/R at the rate of
 * its time (as libCacheSim's mrcProfiler weighs them).
 */

import { MAX_REPLAY_PAGE } from "../policy-replay.js";
import { LruStack, type StackHistogram } from "./lru-stack.js";
import { HASH_SPACE, pageHash, rateThreshold } from "./spatial-sample.js";

/** Stack distances counted exactly on every reference unless told otherwise. */
export const SHARDS_HEAD_DEPTH = 16;
/** A head entry's mark: its page is in the sample (page numbers stay below MAX_REPLAY_PAGE, 2^26). */
const SAMPLED = 1 << 30;
const PAGE_BITS = SAMPLED - 1;

export interface ShardsOptions {
  /** Fixed-rate sampling at this rate in (0, 1]. */
  readonly rate?: number;
  /** Fixed-size sampling: at most this many sampled pages. */
  readonly maxPages?: number;
  /** Hash seed (default 0). */
  readonly seed?: number;
  /** Distances 1..headDepth counted exactly, not sampled (default SHARDS_HEAD_DEPTH; 0: the paper's SHARDS). */
  readonly headDepth?: number;
}

export class Shards {
  private readonly stack = new LruStack();
  private readonly seed: number;
  /** Pages whose hash is below it are sampled. */
  private threshold: number;
  /** The sampled pages (fixed size only), a max-heap by hash. */
  private readonly heap: PageHeap | null;
  /**
   * The most recent pages of the whole string, a ring read from `front`
   * on, most recent first, each entry with SAMPLED if its page is in the
   * sample; -1 for none yet.
   */
  private readonly head: Int32Array;
  private front = 0;
  /** Per page: 1 while it is in the head, so that a miss costs no scan. */
  private inHead = new Uint8Array(1 << 16);
  /** counts[d]: references at distance d, exact up to the head's depth, weighted beyond. */
  private counts: Float64Array;
  /** References that missed the head (exact). */
  private deeper = 0;
  /** The sample's weighted count of the references that missed the head, first references included. */
  private sampledWeight = 0;
  private coldWeight = 0;
  private references = 0;
  /** References to sampled pages, unweighted. */
  sampledReferences = 0;

  constructor(options: ShardsOptions) {
    this.seed = options.seed ?? 0;
    this.head = new Int32Array(options.headDepth ?? SHARDS_HEAD_DEPTH).fill(-1);
    this.counts = new Float64Array(Math.max(1024, this.head.length + 2));
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

  /**
   * Counts the head's distances of `pages` and samples their references.
   * Kept whole, the head's scan inline, as the exact stack's `feed` is: V8
   * keeps `head` and the loop's state in registers. A page not in the head
   * (its flag says so) costs no scan: it takes the oldest entry's place,
   * now the front. A head entry carries SAMPLED when its page is in the
   * sample, so a reference found in the head is hashed no more: only
   * sampled pages go on to the sample's stack.
   */
  feed(pages: Int32Array): void {
    const head = this.head;
    const last = head.length - 1;
    for (let i = 0; i < pages.length; i++) {
      const p = pages[i];
      if (p >>> 0 < this.inHead.length && this.inHead[p] !== 0) {
        let at = this.front;
        let j = 0;
        while ((head[at] & PAGE_BITS) !== p) {
          at = at === last ? 0 : at + 1;
          j++;
        }
        const entry = head[at];
        for (let k = j; k > 0; k--) {
          const newer = at === 0 ? last : at - 1;
          head[at] = head[newer];
          at = newer;
        }
        head[at] = entry;
        this.counts[j + 1]++;
        if (entry & SAMPLED) this.touchSampled(p, j);
        continue;
      }
      this.deeper++;
      const entry = this.sampleDeeper(p) ? p | SAMPLED : p;
      if (last >= 0) this.pushHead(p, entry);
    }
    this.references += pages.length;
  }

  /** Puts a page that was not in the head at its front, in place of the oldest entry. */
  private pushHead(page: number, entry: number): void {
    const at = this.front === 0 ? this.head.length - 1 : this.front - 1;
    const oldest = this.head[at];
    if (oldest >= 0) this.inHead[oldest & PAGE_BITS] = 0;
    this.head[at] = entry;
    this.front = at;
    if (page >>> 0 >= this.inHead.length) this.growFlags(page);
    this.inHead[page] = 1;
  }

  /** Widens the head's flags to hold `page`; a page outside 0..MAX_REPLAY_PAGE-1 is refused. */
  private growFlags(page: number): void {
    if (!(page >= 0 && page < MAX_REPLAY_PAGE)) throw new RangeError(`page number ${page} is outside 0..${MAX_REPLAY_PAGE - 1}`);
    let size = this.inHead.length;
    while (size <= page) size *= 2;
    const flags = new Uint8Array(size);
    flags.set(this.inHead);
    this.inHead = flags;
  }

  /** A sampled page found at depth `j` of the head: its distance is counted; the sample's stack only learns of the reference. */
  private touchSampled(page: number, j: number): void {
    this.sampledReferences++;
    if (j > 0) this.stack.access(page);
  }

  /**
   * A reference that missed the head: if its page is sampled, runs it
   * through the sample's stack and counts it, 1/R at its scaled distance
   * (1/R first references if new); true if the page is in the sample.
   */
  private sampleDeeper(page: number): boolean {
    const hash = pageHash(page, this.seed);
    if (hash >= this.threshold) return false;
    if (this.heap !== null && !this.stack.has(page) && !this.admit(page, hash)) return false;
    this.sampledReferences++;
    const d = this.stack.access(page);
    const rate = this.threshold / HASH_SPACE;
    const weight = 1 / rate;
    this.sampledWeight += weight;
    if (d === 0) {
      this.coldWeight += weight;
      return true;
    }
    const scaled = Math.max(this.head.length + 1, 1 + Math.round((d - 1) / rate));
    if (scaled >= this.counts.length) this.growCounts(scaled);
    this.counts[scaled] += weight;
    return true;
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
    this.unmarkHead(dropped);
    return true;
  }

  /** The page left the sample: its head entry, if any, loses SAMPLED. */
  private unmarkHead(page: number): void {
    const head = this.head;
    for (let j = 0; j < head.length; j++) {
      if (head[j] === (page | SAMPLED)) head[j] = page;
    }
  }

  private growCounts(distance: number): void {
    let size = this.counts.length;
    while (size <= distance) size *= 2;
    const counts = new Float64Array(size);
    counts.set(this.counts);
    this.counts = counts;
  }

  /** The estimated stack-distance histogram of the whole trace: the exact head, the sampled tail, SHARDS_adj. */
  histogram(): StackHistogram {
    let last = this.counts.length - 1;
    while (last > 1 && this.counts[last] === 0) last--;
    const first = this.head.length + 1;
    const counts = this.counts.slice(0, Math.max(last, first) + 1);
    adjust(counts, first, this.deeper - this.sampledWeight);
    return { references: this.references, cold: this.coldWeight, counts };
  }
}

/** SHARDS_adj: adds `difference` references at distance `first`; a deficit beyond what is there is taken from the next distances. */
function adjust(counts: Float64Array, first: number, difference: number): void {
  if (difference >= 0) {
    counts[first] += difference;
    return;
  }
  let excess = -difference;
  for (let d = first; d < counts.length && excess > 0; d++) {
    const taken = Math.min(counts[d], excess);
    counts[d] -= taken;
    excess -= taken;
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
