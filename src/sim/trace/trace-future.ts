/**
 * OPT's future knowledge for a VMM replay: the next use of every page
 * reference of the trace, computed in the first pass, and advanced by the
 * replay loop reference by reference. Pages are EYN-OS virtual pages (the
 * kernel's policy key is space id * 2^20 + virtual page number).
 */

import type { FutureKnowledge } from "../../kernel/replacement/policy.js";
import { NEVER, PageString, linkNextUses } from "../next-use.js";

const PAGES = 1 << 20;

export class TraceFuture implements FutureKnowledge {
  /** The pages referenced, in order (first pass); `seal` overwrites them with `next`. */
  private readonly recorded: PageString;
  /** After `seal`: for each reference, the index of its page's next reference, or NEVER. */
  private next: Int32Array = new Int32Array(0);
  /** Per EYN-OS page: index of its next reference after the current one. */
  private readonly nextOf = new Float64Array(PAGES).fill(Infinity);
  /** Index of the next reference the replay will make. */
  position = 0;

  constructor(expectedReferences = 1 << 16) {
    this.recorded = new PageString(expectedReferences);
  }

  /** Appends one page reference (first pass). */
  record(page: number): void {
    this.recorded.push(page);
  }

  /** Turns the recorded pages (numbers below `pageCount`) into next-use indices (one backward pass, in place). */
  seal(pageCount = PAGES): void {
    this.next = this.recorded.view();
    linkNextUses([this.next], this.next, new Int32Array(pageCount).fill(NEVER));
    this.position = 0;
  }

  /** References recorded. */
  get length(): number {
    return this.recorded.length;
  }

  /** The replay makes its next reference, to EYN-OS page `page` (call before the access that makes it). */
  advance(page: number): void {
    const n = this.next[this.position++];
    this.nextOf[page] = n === NEVER ? Infinity : n;
  }

  nextUse(key: number): number {
    return this.nextOf[key % PAGES];
  }
}
