/**
 * The pages at or above 4 GiB of a 64-bit program's trace. Below 4 GiB a
 * flat byte per page (2^20 of them) is cheapest; above it the address space
 * is 2^52 pages wide and a trace touches a few hundred of them (under
 * Valgrind on x86-64: the stack just below 0x1fff001000, large mmaps), so
 * they live in a hash map, with a one-page cache in front because
 * consecutive accesses mostly stay on one page.
 *
 * Each page keeps its PAGE_FLAG bits and a dense index (the order in which
 * it was first seen). A page reference string needs small distinct numbers
 * for its pages (OPT's next-use tables and the policy-only replay index flat
 * arrays by page): `referenceKey` gives a page below 4 GiB its own number
 * and a page above 2^20 + its index, which no page below 4 GiB can have.
 */

import { PAGES_PER_4G, secondPage, straddlePage, isStraddle, type TraceChunk } from "./trace-chunk.js";

/** Flag bits of a page, in the low bits of a map value; the index sits above them. */
const FLAG_BITS = 3;
const FLAG_MASK = (1 << FLAG_BITS) - 1;
/** PAGE_FLAG.TOUCHED (trace-survey.ts, which builds on this module). */
const TOUCHED = 1;

export class WidePages {
  /** Page number -> index << FLAG_BITS | flags. */
  private readonly entries = new Map<number, number>();
  private cachedPage = -1;
  private cachedValue = 0;

  /** Distinct pages marked. */
  get count(): number {
    return this.entries.size;
  }

  /** Adds PAGE_FLAG bits to `page` (at or above 2^20); true if the page was not touched before. */
  mark(page: number, flags: number): boolean {
    const old = this.valueOf(page);
    if (old >= 0) {
      if ((old | flags) !== old) this.store(page, old | flags);
      return false;
    }
    this.store(page, (this.entries.size << FLAG_BITS) | flags);
    return true;
  }

  /** The page's PAGE_FLAG bits (0 if it was never marked). */
  flags(page: number): number {
    const v = this.valueOf(page);
    return v < 0 ? 0 : v & FLAG_MASK;
  }

  /** The page's reference-string key: PAGES_PER_4G + its index; marks it touched if it was not. */
  key(page: number, touched: number): number {
    let v = this.valueOf(page);
    if (v < 0) {
      this.mark(page, touched);
      v = this.cachedValue;
    }
    return PAGES_PER_4G + (v >>> FLAG_BITS);
  }

  /** The page of each index: element i is the i-th page marked. */
  byIndex(): Float64Array {
    const pages = new Float64Array(this.entries.size);
    for (const [page, value] of this.entries) pages[value >>> FLAG_BITS] = page;
    return pages;
  }

  /** The touched pages, in ascending order. */
  sorted(): Float64Array {
    return Float64Array.from(this.entries.keys()).sort();
  }

  /** The page's map value, or -1. */
  private valueOf(page: number): number {
    if (page === this.cachedPage) return this.cachedValue;
    const v = this.entries.get(page);
    if (v === undefined) return -1;
    this.cachedPage = page;
    this.cachedValue = v;
    return v;
  }

  private store(page: number, value: number): void {
    this.entries.set(page, value);
    this.cachedPage = page;
    this.cachedValue = value;
  }
}

/**
 * The page reference string of a wide chunk (the traces README's rule with
 * 64-bit addresses: an access's first page, and the next page too when it
 * straddles), as keys (see WidePages): written to `out`, which holds two per
 * access; returns how many. Pages above 4 GiB not yet in `pages` are marked
 * with `touched`.
 */
export function wideReferenceKeys(chunk: TraceChunk, pages: WidePages, touched: number, out: Int32Array): number {
  const { addr, addrHigh, size } = chunk;
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    const first = addrHigh[i] * PAGES_PER_4G + (a >>> 12);
    out[n++] = first < PAGES_PER_4G ? first : pages.key(first, touched);
    if (isStraddle(a, size[i])) {
      const last = secondPage(first);
      out[n++] = last < PAGES_PER_4G ? last : pages.key(last, touched);
    }
  }
  return n;
}

/**
 * The page references of `chunk` written into `out` (which must hold 2 per
 * access); returns the filled view. A wide chunk's pages above 4 GiB are
 * numbered by `wide` (the same object for the whole trace).
 */
export function pageReferences(chunk: TraceChunk, out: Int32Array, wide: WidePages): Int32Array {
  if (chunk.wide) return out.subarray(0, wideReferenceKeys(chunk, wide, TOUCHED, out));
  const { addr, size } = chunk;
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    out[n++] = a >>> 12;
    const second = straddlePage(a, size[i]);
    if (second >= 0) out[n++] = second;
  }
  return out.subarray(0, n);
}
