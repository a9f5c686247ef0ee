/**
 * The first pass over a trace: which pages it touches (and how), how many
 * accesses and page references it makes. The layout mapper decides regions
 * from this; nothing per access is kept. Pages below 4 GiB have a flag byte
 * each; a 64-bit program's pages above it are kept sparsely (wide-pages.ts).
 */

import { PAGES_PER_4G, TRACE_KIND, isStraddle, secondPage, straddlePage, type TraceChunk } from "./trace-chunk.js";
import { WidePages } from "./wide-pages.js";

/** Flags per virtual page in `TraceSurvey.pages`. */
export const PAGE_FLAG = { TOUCHED: 1, FETCHED: 2, WRITTEN: 4 } as const;
/** Pages of a 32-bit address space (the flat part of a survey). */
export const PAGE_COUNT = PAGES_PER_4G;

export interface TraceSurvey {
  accesses: number;
  /** Page references: accesses plus straddling accesses (the traces README's rule). */
  references: number;
  straddles: number;
  /** Accesses by TRACE_KIND (I, L, S, M). */
  readonly byKind: [number, number, number, number];
  /** PAGE_FLAG bits of every virtual page below 4 GiB (index = address >>> 12). */
  readonly pages: Uint8Array;
  /** The pages at or above 4 GiB (a 64-bit program's), with their flags. */
  readonly wide: WidePages;
  /** Distinct pages, both kinds. */
  distinctPages: number;
}

export function emptySurvey(): TraceSurvey {
  return {
    accesses: 0,
    references: 0,
    straddles: 0,
    byKind: [0, 0, 0, 0],
    pages: new Uint8Array(PAGE_COUNT),
    wide: new WidePages(),
    distinctPages: 0,
  };
}

/** The PAGE_FLAG bits of page `page` (any page number a 64-bit address has). */
export function pageFlags(s: TraceSurvey, page: number): number {
  return page < PAGE_COUNT ? s.pages[page] : s.wide.flags(page);
}

/** PAGE_FLAG bits an access of each TRACE_KIND sets (I fetches, L reads, S and M write). */
export const KIND_FLAGS = Uint8Array.of(
  PAGE_FLAG.TOUCHED | PAGE_FLAG.FETCHED,
  PAGE_FLAG.TOUCHED,
  PAGE_FLAG.TOUCHED | PAGE_FLAG.WRITTEN,
  PAGE_FLAG.TOUCHED | PAGE_FLAG.WRITTEN,
);

/**
 * Adds a chunk's accesses to the survey. Written for speed (the first pass
 * runs it on every access): a page's flags are stored only when they
 * change, so consecutive accesses to one page do not wait on each other's
 * stores, and kinds are counted separately, four at a time.
 */
export function surveyChunk(s: TraceSurvey, chunk: TraceChunk): void {
  if (chunk.wide) {
    surveyWideChunk(s, chunk);
    return;
  }
  const pages = s.pages;
  const addrs = chunk.addr;
  const kinds = chunk.kind;
  const sizes = chunk.size;
  const n = chunk.length;
  let straddles = 0;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const a = addrs[i];
    const flag = KIND_FLAGS[kinds[i]];
    const first = a >>> 12;
    const old = pages[first];
    if ((old | flag) !== old) {
      if (old === 0) distinct++;
      pages[first] = old | flag;
    }
    const second = straddlePage(a, sizes[i]);
    if (second >= 0) {
      straddles++;
      if (pages[second] === 0) distinct++;
      pages[second] |= flag;
    }
  }
  countKinds(kinds, n, s.byKind);
  s.accesses += n;
  s.straddles += straddles;
  s.references += n + straddles;
  s.distinctPages += distinct;
}

/** surveyChunk for a chunk with addresses at or above 4 GiB (page numbers past 2^20). */
function surveyWideChunk(s: TraceSurvey, chunk: TraceChunk): void {
  const { addr, addrHigh, kind, size } = chunk;
  let straddles = 0;
  let distinct = 0;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    const flag = KIND_FLAGS[kind[i]];
    const first = addrHigh[i] * PAGE_COUNT + (a >>> 12);
    if (markPage(s, first, flag)) distinct++;
    if (isStraddle(a, size[i])) {
      straddles++;
      if (markPage(s, secondPage(first), flag)) distinct++;
    }
  }
  addMarkedChunk(s, chunk, straddles, distinct);
}

/** Adds `flag` to page `page` of the survey (below or above 4 GiB); true if the page is new. */
export function markPage(s: TraceSurvey, page: number, flag: number): boolean {
  if (page >= PAGE_COUNT) return s.wide.mark(page, flag);
  const old = s.pages[page];
  s.pages[page] = old | flag;
  return old === 0;
}

/**
 * Adds a chunk whose pages a reader has already marked in `s.pages` as it
 * parsed (as surveyChunk would: see readLackey's `survey`), with the
 * straddles and newly touched pages it counted; counts the rest.
 */
export function addMarkedChunk(s: TraceSurvey, chunk: TraceChunk, straddles: number, newPages: number): void {
  const n = chunk.length;
  countKinds(chunk.kind, n, s.byKind);
  s.accesses += n;
  s.straddles += straddles;
  s.references += n + straddles;
  s.distinctPages += newPages;
}

/**
 * Adds the counts of each TRACE_KIND among kinds[0, n) to `byKind`. Kinds
 * are 0..3, so over all bytes: the low bits sum to L + M, the high bits to
 * S + M, and the bytes with both bits set count M. Four bytes are summed per
 * 32-bit word, in byte lanes that are folded before they can overflow.
 */
function countKinds(kinds: Uint8Array, n: number, byKind: [number, number, number, number]): void {
  const aligned = (kinds.byteOffset & 3) === 0;
  const words = aligned ? new Uint32Array(kinds.buffer, kinds.byteOffset, n >>> 2) : new Uint32Array(0);
  let low = 0;
  let high = 0;
  let both = 0;
  for (let w = 0; w < words.length; ) {
    const stop = Math.min(words.length, w + 255);
    let laneLow = 0;
    let laneHigh = 0;
    let laneBoth = 0;
    for (; w < stop; w++) {
      const x = words[w];
      laneLow += x & 0x01010101;
      laneHigh += (x >>> 1) & 0x01010101;
      laneBoth += x & (x >>> 1) & 0x01010101;
    }
    low += sumLanes(laneLow);
    high += sumLanes(laneHigh);
    both += sumLanes(laneBoth);
  }
  for (let i = 4 * words.length; i < n; i++) {
    const k = kinds[i];
    low += k & 1;
    high += k >>> 1;
    both += k & (k >>> 1) & 1;
  }
  byKind[TRACE_KIND.MODIFY] += both;
  byKind[TRACE_KIND.LOAD] += low - both;
  byKind[TRACE_KIND.STORE] += high - both;
  byKind[TRACE_KIND.FETCH] += n - low - high + both;
}

/** The sum of a word's four byte lanes. */
function sumLanes(x: number): number {
  return (x & 0xff) + ((x >>> 8) & 0xff) + ((x >>> 16) & 0xff) + (x >>> 24);
}
