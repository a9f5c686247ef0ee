/**
 * OPT's future knowledge is a page-reference string and, for each reference,
 * the index of the next reference to the same page. A VMM replay of a trace
 * (TraceFuture), a policy-only replay (NextUseTable) and a scenario run
 * (RecordedFuture) all build it the same way: record the string as it comes,
 * then link each reference to the next in one backward pass.
 */

/** No later reference to the page. */
export const NEVER = 0x7fffffff;

/** A string of page numbers (non-negative int32) being recorded: grows by doubling. */
export class PageString {
  private pages: Int32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.pages = new Int32Array(Math.max(16, capacity));
  }

  /** Appends one reference to `page`. */
  push(page: number): void {
    if (this.count === this.pages.length) {
      const bigger = new Int32Array(this.pages.length * 2);
      bigger.set(this.pages);
      this.pages = bigger;
    }
    this.pages[this.count++] = page;
  }

  /** Appends every reference of `pages`. */
  append(pages: Int32Array): void {
    let capacity = this.pages.length;
    while (this.count + pages.length > capacity) capacity *= 2;
    if (capacity !== this.pages.length) {
      const bigger = new Int32Array(capacity);
      bigger.set(this.pages.subarray(0, this.count));
      this.pages = bigger;
    }
    this.pages.set(pages, this.count);
    this.count += pages.length;
  }

  /** The page of reference `i`. */
  at(i: number): number {
    return this.pages[i];
  }

  get length(): number {
    return this.count;
  }

  /** The references so far, as a view that a later push may leave behind. */
  view(): Int32Array {
    return this.pages.subarray(0, this.count);
  }
}

/**
 * The backward pass over the concatenation of `chunks`: `next[i]` becomes
 * the index of the first reference after i to the same page, or NEVER.
 * `firstOf` has a slot per page, filled with NEVER, and is left holding
 * each page's first reference. `next` may be the single chunk itself: each
 * page is read before its slot is overwritten. With `base`, the chunks are
 * the part of a longer string that starts at reference `base` (indices
 * are the string's), linked after the parts that follow it.
 */
export function linkNextUses(chunks: readonly Int32Array[], next: Int32Array, firstOf: Int32Array, base = 0): void {
  let pos = next.length;
  for (let k = chunks.length - 1; k >= 0; k--) {
    const c = chunks[k];
    for (let i = c.length - 1; i >= 0; i--) {
      const page = c[i];
      next[--pos] = firstOf[page];
      firstOf[page] = base + pos;
    }
  }
}
