/**
 * OPT's stack distances in one pass: Mattson's priority stack (Mattson et
 * al., 1970), the stack-algorithm form of Belady's MIN.
 *
 * OPT is a stack algorithm: the pages an OPT memory of c frames holds are
 * always the top c of one priority stack, so, as for LRU, the depth at
 * which a reference finds its page is the smallest memory that hits it,
 * and one histogram gives the misses at every size. After a reference to x
 * found at depth d, x goes on top, and the pages above d sift down one
 * level at a time: at each level the page used sooner stays and the page
 * used later moves on, to end in x's old place (or, for a page not in the
 * stack, at the bottom). So the page that leaves the top c for every
 * c < d is the one of the top c used last — MIN's victim at size c.
 *
 * Priorities are next uses, from the string's backward pass (next-use.ts):
 * the whole string is needed first, 8 bytes per reference in all. Pages
 * never used again tie; which one goes first changes no miss count. The
 * sift is O(d) per reference, d the reference's OPT distance — small for
 * most references of a program.
 */

import { NEVER, linkNextUses } from "../next-use.js";
import { highestPage } from "../policy-replay.js";
import type { StackHistogram } from "./lru-stack.js";

/** The OPT stack-distance histogram of the concatenation of `chunks` (pages in [0, MAX_REPLAY_PAGE)). */
export function optHistogram(chunks: readonly Int32Array[]): StackHistogram {
  const next = new Int32Array(chunks.reduce((n, c) => n + c.length, 0));
  const firstOf = new Int32Array(highestPage(chunks) + 1).fill(NEVER);
  linkNextUses(chunks, next, firstOf);
  const stack = new OptStack(firstOf.reduce((n, f) => (f === NEVER ? n : n + 1), 0));
  let at = 0;
  for (const c of chunks) {
    stack.feed(c, next, at);
    at += c.length;
  }
  return stack.histogram();
}

/** The priority stack of OPT: pages and their next uses, top first. */
class OptStack {
  private readonly pages: Int32Array;
  /** nextUse[i]: the next reference to pages[i] (NEVER if none). */
  private readonly nextUse: Int32Array;
  private depth = 0;
  private readonly counts: Float64Array;
  private cold = 0;
  private references = 0;

  constructor(distinctPages: number) {
    this.pages = new Int32Array(distinctPages);
    this.nextUse = new Int32Array(distinctPages);
    this.counts = new Float64Array(distinctPages + 1);
  }

  /** Counts the references of `chunk`, the string's references from index `at`, whose next uses are in `next`. */
  feed(chunk: Int32Array, next: Int32Array, at: number): void {
    const pages = this.pages;
    const nextUse = this.nextUse;
    for (let i = 0; i < chunk.length; i++) {
      const x = chunk[i];
      const xNext = next[at + i];
      if (this.depth > 0 && pages[0] === x) {
        nextUse[0] = xNext;
        this.counts[1]++;
        continue;
      }
      const d = this.sift(x, xNext);
      if (d === 0) this.cold++;
      else this.counts[d]++;
    }
    this.references += chunk.length;
  }

  /** Puts x on top and sifts the pages above its old place; returns its depth before (0 if new). */
  private sift(x: number, xNext: number): number {
    const pages = this.pages;
    const nextUse = this.nextUse;
    const depth = this.depth;
    if (depth === 0) {
      pages[0] = x;
      nextUse[0] = xNext;
      this.depth = 1;
      return 0;
    }
    let carry = pages[0];
    let carryNext = nextUse[0];
    pages[0] = x;
    nextUse[0] = xNext;
    let i = 1;
    for (; i < depth; i++) {
      const p = pages[i];
      if (p === x) break;
      const pNext = nextUse[i];
      if (pNext > carryNext) {
        pages[i] = carry;
        nextUse[i] = carryNext;
        carry = p;
        carryNext = pNext;
      }
    }
    pages[i] = carry;
    nextUse[i] = carryNext;
    if (i < depth) return i + 1;
    this.depth = depth + 1;
    return 0;
  }

  histogram(): StackHistogram {
    return { references: this.references, cold: this.cold, counts: this.counts };
  }
}
