/**
 * OPT's future knowledge for a VMM replay: the next use of every page
 * reference of the trace, computed in the first pass, and advanced by the
 * replay loop reference by reference. Pages are EYN-OS virtual pages (the
 * kernel's policy key is space id * 2^20 + virtual page number).
 */

import type { FutureKnowledge } from "../../kernel/replacement/policy.js";

const NEVER = 0x7fffffff;
const PAGES = 1 << 20;

export class TraceFuture implements FutureKnowledge {
  /** During recording: page of each reference; after `seal`: index of that page's next reference, or NEVER. */
  private refs: Int32Array;
  private count = 0;
  /** Per EYN-OS page: index of its next reference after the current one. */
  private readonly nextOf = new Float64Array(PAGES).fill(Infinity);
  /** Index of the next reference the replay will make. */
  position = 0;

  constructor(expectedReferences = 1 << 16) {
    this.refs = new Int32Array(Math.max(16, expectedReferences));
  }

  /** Appends one page reference (first pass). */
  record(page: number): void {
    if (this.count === this.refs.length) {
      const bigger = new Int32Array(this.refs.length * 2);
      bigger.set(this.refs);
      this.refs = bigger;
    }
    this.refs[this.count++] = page;
  }

  /** Turns the recorded pages into next-use indices (one backward pass, in place). */
  seal(): void {
    const last = new Int32Array(PAGES).fill(NEVER);
    const refs = this.refs;
    for (let i = this.count - 1; i >= 0; i--) {
      const page = refs[i];
      refs[i] = last[page];
      last[page] = i;
    }
    this.position = 0;
  }

  /** References recorded. */
  get length(): number {
    return this.count;
  }

  /** The replay makes its next reference, to EYN-OS page `page` (call before the access that makes it). */
  advance(page: number): void {
    const n = this.refs[this.position++];
    this.nextOf[page] = n === NEVER ? Infinity : n;
  }

  nextUse(key: number): number {
    return this.nextOf[key % PAGES];
  }
}
