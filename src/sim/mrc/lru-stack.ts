/**
 * Mattson's LRU stack distances in one pass, O(log n) per reference.
 *
 * The stack distance of a reference is the depth of its page in the LRU
 * stack: 1 + the number of distinct pages referenced since the page's last
 * reference (none for a first reference). An LRU memory of c frames hits
 * exactly the references at distance <= c, so one histogram of distances
 * gives the miss count at every size at once (Mattson et al., 1970).
 *
 * The stack is kept in two parts. Its top TOP_DEPTH pages sit in a small
 * array, most recent first: most references of a program hit there, found
 * by a short scan and moved to the front. Below them, each page marks one
 * time slot in a Fenwick tree — the slot it got when it sank out of the
 * top — so the pages more recent than it are the marks after its slot,
 * counted in O(log n). Pages sink in recency order, which keeps slot order
 * and stack order the same. When the slots run out, the live marks are
 * renumbered densely in order and the tree rebuilt, so memory follows the
 * distinct pages, not the trace's length.
 *
 * `access` is also the building block of SHARDS (a sampled page's stack),
 * and `remove` its eviction of a page from the sample: the top may then
 * hold fewer pages, which keeps both parts in recency order.
 */

import { MAX_REPLAY_PAGE } from "../policy-replay.js";

/** Pages in the scanned top of the stack. */
export const TOP_DEPTH = 16;
/** Slots of a new tree (doubled when more than half hold live pages). */
const INITIAL_SLOTS = 4096;

/** A histogram of stack distances: `counts[d]` references at distance d (d >= 1), `cold` first references. */
export interface StackHistogram {
  /** References seen (weighted, for a sampled estimate). */
  readonly references: number;
  /** First references: misses at every size. */
  readonly cold: number;
  /** counts[d] for d in 1..counts.length-1 (counts[0] is 0). */
  readonly counts: Float64Array;
}

export class LruStack {
  /** The top of the stack, most recent first: top[0, topCount). */
  private readonly top = new Int32Array(TOP_DEPTH);
  private topCount = 0;
  /**
   * Per page: its slot in the tree plus one, or 0 (in the top, or not in
   * the stack), so that the table is used as allocated: filling it with -1
   * touched 4 MiB per stack on strings reaching page 2^20.
   */
  private slotOf: Int32Array;
  /** Per slot: the page that holds it, or -1. */
  private pageAt: Int32Array;
  /** Fenwick tree over the slots (1-based): one mark per page below the top. */
  private tree: Int32Array;
  /** Next free slot. */
  private now = 0;
  /** Pages below the top (marks in the tree). */
  private below = 0;
  /** counts[d]: references at distance d. */
  private counts: Float64Array;
  private cold = 0;
  private references = 0;

  constructor() {
    this.slotOf = new Int32Array(1 << 16);
    this.pageAt = new Int32Array(INITIAL_SLOTS).fill(-1);
    this.tree = new Int32Array(INITIAL_SLOTS + 1);
    this.counts = new Float64Array(TOP_DEPTH + INITIAL_SLOTS + 1);
  }

  /** Pages in the stack. */
  get depth(): number {
    return this.topCount + this.below;
  }

  /** Counts the stack distance of every reference of `pages` (page numbers in [0, MAX_REPLAY_PAGE)). */
  feed(pages: Int32Array): void {
    const top = this.top;
    for (let i = 0; i < pages.length; i++) {
      const p = pages[i];
      const n = this.topCount;
      let j = 0;
      while (j < n && top[j] !== p) j++;
      if (j < n) {
        for (let k = j; k > 0; k--) top[k] = top[k - 1];
        top[0] = p;
        this.counts[j + 1]++;
      } else {
        const d = this.accessBelow(p);
        if (d === 0) this.cold++;
        else this.counts[d]++;
      }
    }
    this.references += pages.length;
  }

  /**
   * Moves `page` to the top of the stack and returns its stack distance
   * before the move (0 if it was not in the stack). Counts nothing.
   */
  access(page: number): number {
    const top = this.top;
    const n = this.topCount;
    for (let j = 0; j < n; j++) {
      if (top[j] !== page) continue;
      for (let k = j; k > 0; k--) top[k] = top[k - 1];
      top[0] = page;
      return j + 1;
    }
    return this.accessBelow(page);
  }

  /** `access` for a page not in the top: found (or not) in the tree, then pushed onto the top. */
  private accessBelow(page: number): number {
    if (page >>> 0 >= this.slotOf.length) this.growPages(page);
    const slot = this.slotOf[page] - 1;
    let distance = 0;
    if (slot >= 0) {
      distance = this.topCount + this.marksAfter(slot) + 1;
      this.unmark(slot);
      this.slotOf[page] = 0;
    }
    this.push(page);
    return distance;
  }

  /** Puts `page` on top; the page the top no longer holds sinks into the tree. */
  private push(page: number): void {
    const top = this.top;
    let n = this.topCount;
    if (n === TOP_DEPTH) this.sink(top[--n]);
    for (let k = n; k > 0; k--) top[k] = top[k - 1];
    top[0] = page;
    this.topCount = n + 1;
  }

  /** Gives `page` the next slot: it is more recent than every page already below the top. */
  private sink(page: number): void {
    if (this.now === this.pageAt.length) this.compact();
    const slot = this.now++;
    const tree = this.tree;
    for (let i = slot + 1; i < tree.length; i += i & -i) tree[i]++;
    this.pageAt[slot] = page;
    this.slotOf[page] = slot + 1;
    this.below++;
  }

  /** Marks after `slot`: the pages below the top that are more recent than the one at `slot`. */
  private marksAfter(slot: number): number {
    const tree = this.tree;
    let upTo = 0;
    for (let i = slot + 1; i > 0; i -= i & -i) upTo += tree[i];
    return this.below - upTo;
  }

  private unmark(slot: number): void {
    const tree = this.tree;
    for (let i = slot + 1; i < tree.length; i += i & -i) tree[i]--;
    this.pageAt[slot] = -1;
    this.below--;
  }

  /** Takes `page` out of the stack (SHARDS dropping it from its sample); no-op if absent. */
  remove(page: number): void {
    const top = this.top;
    for (let j = 0; j < this.topCount; j++) {
      if (top[j] !== page) continue;
      top.copyWithin(j, j + 1, this.topCount);
      this.topCount--;
      return;
    }
    if (page >>> 0 >= this.slotOf.length || this.slotOf[page] === 0) return;
    this.unmark(this.slotOf[page] - 1);
    this.slotOf[page] = 0;
  }

  /** True if `page` is in the stack. */
  has(page: number): boolean {
    if (page >>> 0 < this.slotOf.length && this.slotOf[page] !== 0) return true;
    for (let j = 0; j < this.topCount; j++) if (this.top[j] === page) return true;
    return false;
  }

  /** The distances counted by `feed`. */
  histogram(): StackHistogram {
    return { references: this.references, cold: this.cold, counts: this.counts.slice(0, this.depth + 1) };
  }

  /**
   * Out of slots: renumbers the live slots 0..below-1 in order (doubling
   * the slots when more than half would stay full) and rebuilds the tree.
   */
  private compact(): void {
    const slots = this.below * 2 > this.pageAt.length ? this.pageAt.length * 2 : this.pageAt.length;
    const old = this.pageAt;
    const pageAt = slots === old.length ? old : new Int32Array(slots);
    let k = 0;
    for (let s = 0; s < this.now; s++) {
      const p = old[s];
      if (p < 0) continue;
      pageAt[k] = p;
      this.slotOf[p] = ++k;
    }
    pageAt.fill(-1, k);
    this.pageAt = pageAt;
    this.now = k;
    if (this.tree.length !== slots + 1) this.tree = new Int32Array(slots + 1);
    markFirst(this.tree, k);
    if (this.counts.length < TOP_DEPTH + slots + 1) {
      const counts = new Float64Array(TOP_DEPTH + slots + 1);
      counts.set(this.counts);
      this.counts = counts;
    }
  }

  private growPages(page: number): void {
    if (!(page >= 0 && page < MAX_REPLAY_PAGE)) throw new RangeError(`page number ${page} is outside 0..${MAX_REPLAY_PAGE - 1}`);
    let size = this.slotOf.length;
    while (size <= page) size *= 2;
    const slotOf = new Int32Array(size);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
  }
}

/** Sets the Fenwick tree `tree` (1-based) to one mark on each of the slots 0..marked-1. */
function markFirst(tree: Int32Array, marked: number): void {
  for (let i = 1; i < tree.length; i++) {
    const low = i - (i & -i);
    tree[i] = Math.max(0, Math.min(i, marked) - low);
  }
}

/** Misses at sizes 0..maxSize of a histogram: cold + the references at distances above each size. */
export function missesBySize(h: StackHistogram, maxSize: number): Float64Array {
  const misses = new Float64Array(maxSize + 1);
  let above = h.cold;
  for (let d = h.counts.length - 1; d > maxSize; d--) above += h.counts[d];
  for (let c = maxSize; c >= 0; c--) {
    misses[c] = above;
    if (c < h.counts.length) above += h.counts[c];
  }
  return misses;
}
