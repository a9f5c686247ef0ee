/**
 * The first pass over a trace: which pages it touches (and how), how many
 * accesses and page references it makes. The layout mapper decides regions
 * from this; nothing per access is kept.
 */

import { TRACE_KIND, type TraceChunk } from "./trace-chunk.js";

/** Flags per virtual page in `TraceSurvey.pages`. */
export const PAGE_FLAG = { TOUCHED: 1, FETCHED: 2, WRITTEN: 4 } as const;
/** Pages of a 32-bit address space. */
export const PAGE_COUNT = 1 << 20;

export interface TraceSurvey {
  accesses: number;
  /** Page references: accesses plus straddling accesses (the traces README's rule). */
  references: number;
  straddles: number;
  /** Accesses by TRACE_KIND (I, L, S, M). */
  readonly byKind: [number, number, number, number];
  /** PAGE_FLAG bits of every virtual page (index = address >>> 12). */
  readonly pages: Uint8Array;
  distinctPages: number;
}

export function emptySurvey(): TraceSurvey {
  return { accesses: 0, references: 0, straddles: 0, byKind: [0, 0, 0, 0], pages: new Uint8Array(PAGE_COUNT), distinctPages: 0 };
}

/** PAGE_FLAG bits an access of each TRACE_KIND sets (I fetches, L reads, S and M write). */
const KIND_FLAGS = Uint8Array.of(
  PAGE_FLAG.TOUCHED | PAGE_FLAG.FETCHED,
  PAGE_FLAG.TOUCHED,
  PAGE_FLAG.TOUCHED | PAGE_FLAG.WRITTEN,
  PAGE_FLAG.TOUCHED | PAGE_FLAG.WRITTEN,
);

/**
 * Adds a chunk's accesses to the survey. The loop is written for speed (the
 * first pass runs it on every access): kinds are counted with arithmetic,
 * not branches (they interleave unpredictably), and a page's flags are
 * stored only when they change, so that consecutive accesses to one page
 * do not wait on each other's stores.
 */
export function surveyChunk(s: TraceSurvey, chunk: TraceChunk): void {
  const pages = s.pages;
  const addrs = chunk.addr;
  const kinds = chunk.kind;
  const sizes = chunk.size;
  const n = chunk.length;
  let straddles = 0;
  let distinct = 0;
  let fetches = 0;
  let loads = 0;
  let stores = 0;
  for (let i = 0; i < n; i++) {
    const a = addrs[i];
    const k = kinds[i];
    const flag = KIND_FLAGS[k];
    // (x - 1) >>> 31 is 1 exactly when x is 0.
    fetches += (k - 1) >>> 31;
    loads += ((k ^ 1) - 1) >>> 31;
    stores += ((k ^ 2) - 1) >>> 31;
    const first = a >>> 12;
    const old = pages[first];
    if ((old | flag) !== old) {
      if (old === 0) distinct++;
      pages[first] = old | flag;
    }
    const last = ((a + sizes[i] - 1) >>> 12) & 0xfffff;
    if (last !== first) {
      straddles++;
      if (pages[last] === 0) distinct++;
      pages[last] |= flag;
    }
  }
  s.byKind[TRACE_KIND.FETCH] += fetches;
  s.byKind[TRACE_KIND.LOAD] += loads;
  s.byKind[TRACE_KIND.STORE] += stores;
  s.byKind[TRACE_KIND.MODIFY] += n - fetches - loads - stores;
  s.accesses += n;
  s.straddles += straddles;
  s.references += n + straddles;
  s.distinctPages += distinct;
}
