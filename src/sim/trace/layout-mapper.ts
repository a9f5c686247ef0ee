/**
 * Maps a Linux program's trace, 32-bit or 64-bit, onto the EYN-OS address space.
 *
 * Linux (and Valgrind's guest) layout          EYN-OS layout (src/kernel/layout.ts)
 *   0x00108000 / 0x08048000 / 0x00400000
 *                            text, data, bss  ->  USER_CODE_BASE..   code/data
 *   right after bss          brk heap         ->  USER_HEAP_BASE..   heap (brk)
 *   0x04000000.. (etc.)      mmap area        ->  USER_SHARED_BASE.. shared (mmap)
 *   0xFEFFxxxx / 0xBFFFxxxx  stack            ->  below USER_STACK_TOP (stack growth)
 *   (x86-64 under Valgrind: just below 0x1FFF001000)
 *
 * Regions are decided from the survey (the first pass): touched pages form
 * runs; runs closer than CLUSTER_GAP pages form clusters. The topmost
 * cluster, if it reaches 0xB0000000, is the stack. The cluster holding the
 * lowest instruction-fetched page is the program image; inside it, the
 * pages after the last gap that follows the last fetched page are the brk
 * heap (the heap starts on a fresh page after bss; a heuristic: untouched
 * bss pages look like that gap, and a fully touched bss hides it — give
 * `brkStart` to be exact). Everything else is the
 * mmap area. Each class moves by one delta, so offsets within pages and the
 * distances between its pages are kept; a class too large for its EYN-OS
 * region is packed cluster by cluster (one delta per cluster, a guard page
 * between clusters) instead. A cluster that still finds no room in its own
 * region goes where it fits: the free rest of the shared, heap or stack
 * region (the heap's brk, or stack growth, then covers it). So the mapping
 * is one-to-one, keeps each page's offsets and each cluster's shape, and
 * refuses only a trace that cannot fit, saying how many pages it needs.
 *
 * A 64-bit program's page numbers go past 2^20 (x86-64 user space is 2^35
 * pages); they are plain numbers here. Pages below 4 GiB move by a table
 * of deltas (page-deltas.ts), the few regions above it by a sorted search (WideRegions).
 */

import { InputError } from "../../machine/input-error.js";
import {
  USER_CODE_BASE,
  USER_CODE_END,
  USER_HEAP_BASE,
  USER_HEAP_END,
  USER_SHARED_BASE,
  USER_SHARED_END,
  USER_STACK_BASE,
  USER_STACK_TOP,
} from "../../kernel/layout.js";
import { deltaOf, pageDeltas, type PageDeltas } from "./page-deltas.js";
import type { TraceChunk } from "./trace-chunk.js";
import { PAGE_COUNT, PAGE_FLAG, pageFlags, type TraceSurvey } from "./trace-survey.js";

export type RegionKind = "code" | "heap" | "mmap" | "stack";

/** Runs of touched pages at most this many pages apart belong to one cluster (1 MiB). */
export const CLUSTER_GAP = 256;
/** A cluster reaching this page (0xB0000000) may be the stack. */
const STACK_CLASS_PAGE = 0xb0000;

/** One block of the trace moved by one delta. Page numbers; `end` is exclusive. */
export interface MappedRegion {
  readonly kind: RegionKind;
  readonly traceStart: number;
  readonly traceEnd: number;
  readonly eynStart: number;
  /** Touched pages in the block. */
  readonly pages: number;
}

export interface LayoutMapping {
  /** Blocks in trace order. */
  readonly regions: MappedRegion[];
  /** Byte delta added to an address below 4 GiB of each trace page (0 for untouched pages): read with deltaOf or pageDelta. */
  readonly deltas: PageDeltas;
  /** Where the blocks at or above 4 GiB go (none in a 32-bit trace). */
  readonly wide: WideRegions;
  /** End of the heap on EYN-OS (USER_HEAP_BASE when the trace has no heap). */
  readonly heapBreak: number;
}

/** A span of pages [start, end) with its touched-page count. */
interface Span {
  start: number;
  end: number;
  pages: number;
  fetched: boolean;
}

/** Free pages [low, high) of one EYN-OS region; a class fills it from the bottom, the stack from the top. */
interface Room {
  low: number;
  high: number;
}

/** The EYN-OS region of each kind, in pages. */
const TARGET: Record<RegionKind, { base: number; end: number }> = {
  code: { base: USER_CODE_BASE >>> 12, end: USER_CODE_END >>> 12 },
  heap: { base: USER_HEAP_BASE >>> 12, end: USER_HEAP_END >>> 12 },
  mmap: { base: USER_SHARED_BASE >>> 12, end: USER_SHARED_END >>> 12 },
  stack: { base: USER_STACK_BASE >>> 12, end: USER_STACK_TOP >>> 12 },
};

export interface LayoutOptions {
  /**
   * Where the brk heap starts in the trace (byte address, e.g. the end of
   * the ELF's last LOAD segment rounded up to a page), instead of the
   * heuristic. It must fall inside (or at the end of) the program image's pages.
   */
  readonly brkStart?: number;
}

/** Error for a trace whose regions cannot fit EYN-OS's user space. */
export class LayoutError extends InputError {
  override name = "LayoutError";
}

/** Decides where every touched page of the trace goes on EYN-OS. Throws LayoutError if the trace cannot fit. */
export function planLayout(survey: TraceSurvey, options: LayoutOptions = {}): LayoutMapping {
  const runs = touchedRuns(survey);
  const blocks = classify(survey, runs, groupRuns(runs, CLUSTER_GAP), options.brkStart);
  const rooms = {} as Record<RegionKind, Room>;
  for (const kind of ["code", "heap", "mmap", "stack"] as const) rooms[kind] = { low: TARGET[kind].base, high: TARGET[kind].end };

  const regions: MappedRegion[] = [];
  const homeless: { kind: RegionKind; span: Span }[] = [];
  for (const kind of ["code", "heap", "mmap", "stack"] as const) {
    const spans = blocks.filter((b) => b.kind === kind).map((b) => b.span);
    const placed = placeClass(kind, rooms[kind], spans);
    regions.push(...placed);
    const starts = new Set(placed.map((r) => r.traceStart));
    for (const s of spans) if (!starts.has(s.start)) homeless.push({ kind, span: s });
  }
  // The code region can take a block only through the loader call; the rest through mmap, brk or stack growth.
  const spare = [rooms.mmap, rooms.heap, rooms.stack];
  for (const { kind, span } of homeless) regions.push(placeAnywhere(kind, span, spare, survey, blocks.length));
  regions.sort((a, b) => a.traceStart - b.traceStart);

  const flat = regions.filter((r) => r.traceStart < PAGE_COUNT);
  return {
    regions,
    deltas: pageDeltas(flat.map((r) => ({ start: r.traceStart, end: Math.min(r.traceEnd, PAGE_COUNT), delta: ((r.eynStart - r.traceStart) << 12) | 0 }))),
    wide: new WideRegions(regions.filter((r) => r.traceEnd > PAGE_COUNT)),
    heapBreak: heapBreakOf(regions) * 4096,
  };
}

/** The clusters as blocks of one kind each: the stack, the program image (split into code and heap), the rest mmap. */
function classify(survey: TraceSurvey, runs: Span[], clusters: Span[], brkStart: number | undefined): { kind: RegionKind; span: Span }[] {
  const kinds = new Map<Span, RegionKind>();
  const split = new Map<Span, number>(); // image cluster -> first heap page
  const top = clusters[clusters.length - 1];
  if (top !== undefined && top.end > STACK_CLASS_PAGE) kinds.set(top, "stack");
  const image = clusters.find((c) => c.fetched && !kinds.has(c));
  if (image !== undefined) {
    kinds.set(image, "code");
    const heapStart = brkStart === undefined ? heapStartIn(image, runs, survey) : givenBrk(image, brkStart);
    if (heapStart > image.start && heapStart < image.end) split.set(image, heapStart);
  }
  const blocks: { kind: RegionKind; span: Span }[] = [];
  for (const c of clusters) {
    const h = split.get(c);
    if (h === undefined) {
      blocks.push({ kind: kinds.get(c) ?? "mmap", span: c });
    } else {
      blocks.push({ kind: "code", span: subSpan(c, c.start, h, survey) });
      blocks.push({ kind: "heap", span: subSpan(c, h, c.end, survey) });
    }
  }
  return blocks;
}

/** The EYN-OS address of trace address `addr` under the mapping (unsigned; a 64-bit address as a number below 2^53). */
export function mapAddress(m: LayoutMapping, addr: number): number {
  if (addr < 0x100000000) return (addr + deltaOf(m.deltas, addr)) >>> 0;
  const page = Math.floor(addr / 4096);
  return (m.wide.eynPage(page) * 4096 + (addr % 4096)) >>> 0;
}

/**
 * Rewrites a wide chunk's addresses as EYN-OS addresses (the chunk is no
 * longer wide): its accesses then replay with a zero delta. An access's
 * second page, when it straddles, is its EYN page + 1, since both trace
 * pages are touched and so in one block.
 */
export function mapWideChunk(m: LayoutMapping, chunk: TraceChunk): void {
  const { addr, addrHigh } = chunk;
  const deltas = m.deltas;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    const high = addrHigh[i];
    if (high === 0) {
      addr[i] = a + deltaOf(deltas, a);
    } else {
      addr[i] = (m.wide.eynPage(high * PAGE_COUNT + (a >>> 12)) << 12) | (a & 0xfff);
      addrHigh[i] = 0;
    }
  }
  chunk.wide = false;
}

/**
 * The blocks of a mapping at or above 4 GiB, sorted, found by binary search
 * behind a one-block cache (consecutive accesses stay in one block).
 */
export class WideRegions {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** EYN-OS page minus trace page, per block. */
  private readonly shifts: Float64Array;
  private cached = 0;

  constructor(regions: readonly MappedRegion[]) {
    const sorted = [...regions].sort((a, b) => a.traceStart - b.traceStart);
    this.starts = Float64Array.from(sorted, (r) => r.traceStart);
    this.ends = Float64Array.from(sorted, (r) => r.traceEnd);
    this.shifts = Float64Array.from(sorted, (r) => r.eynStart - r.traceStart);
  }

  /** The EYN-OS page of trace page `page`, or 0 (never a user page) if no block holds it. */
  eynPage(page: number): number {
    let i = this.cached;
    if (i >= this.starts.length || page < this.starts[i] || page >= this.ends[i]) {
      i = this.find(page);
      if (i < 0) return 0;
      this.cached = i;
    }
    return page + this.shifts[i];
  }

  /** The index of the block holding `page`, or -1. */
  private find(page: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] <= page) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.starts.length && this.starts[lo] <= page ? lo : -1;
  }
}

/** Maximal runs of touched pages, in address order: below 4 GiB from the flat flags, above from the sparse set. */
function touchedRuns(survey: TraceSurvey): Span[] {
  const runs = flatRuns(survey.pages);
  const wide = survey.wide.sorted();
  for (let i = 0; i < wide.length; ) {
    const start = wide[i];
    let fetched = false;
    let j = i;
    while (j < wide.length && wide[j] === start + (j - i)) {
      if ((survey.wide.flags(wide[j]) & PAGE_FLAG.FETCHED) !== 0) fetched = true;
      j++;
    }
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === start) {
      last.end += j - i; // a run crossing 4 GiB
      last.pages += j - i;
      last.fetched ||= fetched;
    } else {
      runs.push({ start, end: start + (j - i), pages: j - i, fetched });
    }
    i = j;
  }
  return runs;
}

/** Maximal runs of touched pages below 4 GiB. */
function flatRuns(pages: Uint8Array): Span[] {
  const runs: Span[] = [];
  const count = PAGE_COUNT;
  const fetchedFlag = PAGE_FLAG.FETCHED;
  // Untouched pages (nearly all of 2^20) are skipped a word of four at a time, in a loop of their own.
  const aligned = (pages.byteOffset & 3) === 0 && pages.length >= count;
  const words = aligned ? new Uint32Array(pages.buffer, pages.byteOffset, count >>> 2) : null;
  let p = 0;
  while (p < count) {
    if (pages[p] === 0) {
      p = words !== null && (p & 3) === 0 ? pastZeroWords(words, p) : p + 1;
      continue;
    }
    const start = p;
    let fetched = false;
    while (p < count && pages[p] !== 0) {
      if ((pages[p] & fetchedFlag) !== 0) fetched = true;
      p++;
    }
    runs.push({ start, end: p, pages: p - start, fetched });
  }
  return runs;
}

/** The first page from `p` (a multiple of 4, untouched) whose word of four pages is not all untouched, or p + 1 if p's is not. */
function pastZeroWords(words: Uint32Array, p: number): number {
  let w = p >>> 2;
  while (w < words.length && words[w] === 0) w++;
  return w === p >>> 2 ? p + 1 : w << 2;
}

/** Runs separated by at most `gap` untouched pages, merged. */
function groupRuns(runs: Span[], gap: number): Span[] {
  const out: Span[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start - last.end <= gap) {
      last.end = r.end;
      last.pages += r.pages;
      last.fetched ||= r.fetched;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** First page of the brk heap inside the image cluster: after the last gap that follows the last fetched page. */
function heapStartIn(image: Span, runs: Span[], survey: TraceSurvey): number {
  let lastFetched = image.start;
  for (let p = image.start; p < image.end; p++) if ((pageFlags(survey, p) & PAGE_FLAG.FETCHED) !== 0) lastFetched = p;
  let heapStart = image.start;
  for (const r of runs) {
    if (r.start > lastFetched && r.start > image.start && r.end <= image.end && pageFlags(survey, r.start - 1) === 0) {
      heapStart = r.start;
    }
  }
  return heapStart;
}

/** The page of a given brk start, checked against the image cluster. */
function givenBrk(image: Span, brkStart: number): number {
  const page = Math.ceil(brkStart / 4096);
  const pages = `the program image's pages (${pageAddress(image.start)}-${pageAddress(image.end)})`;
  if (page === image.start) {
    throw new LayoutError(`brk start ${pageAddress(page)} is where ${pages} begin: the heap starts after the program's code and data (the end of its last LOAD segment)`);
  }
  if (page < image.start || page > image.end) throw new LayoutError(`brk start ${pageAddress(page)} is not inside ${pages}`);
  return page;
}

/** The part [start, end) of a cluster, with its touched-page count. */
function subSpan(c: Span, start: number, end: number, survey: TraceSurvey): Span {
  let n = 0;
  for (let p = start; p < end; p++) if (pageFlags(survey, p) !== 0) n++;
  return { start, end, pages: n, fetched: c.fetched };
}

/**
 * Places a class's spans in its EYN-OS region: one delta for all when their
 * whole extent fits (stack: top page just below USER_STACK_TOP), else one
 * per span, packed with a guard page between, as many as fit (in order;
 * the caller places the rest elsewhere). Takes what it uses from the room.
 */
function placeClass(kind: RegionKind, room: Room, spans: Span[]): MappedRegion[] {
  if (spans.length === 0) return [];
  const lo = spans[0].start;
  const hi = spans[spans.length - 1].end;
  if (hi - lo <= room.high - room.low) {
    const base = kind === "stack" ? room.high - (hi - lo) : room.low;
    if (kind === "stack") room.high = base - 1;
    else room.low = base + (hi - lo) + 1;
    return spans.map((s) => region(kind, s, base + (s.start - lo)));
  }
  const out: MappedRegion[] = [];
  if (kind === "stack") {
    // The topmost spans keep the top of the stack region; those below that do not fit go elsewhere.
    for (let i = spans.length - 1; i >= 0 && room.high - room.low >= spans[i].end - spans[i].start; i--) {
      room.high -= spans[i].end - spans[i].start;
      out.push(region(kind, spans[i], room.high));
      room.high -= 1;
    }
    return out.reverse();
  }
  for (const s of spans) {
    if (room.high - room.low < s.end - s.start) break;
    out.push(region(kind, s, room.low));
    room.low += s.end - s.start + 1;
  }
  return out;
}

/** Places a span its class's region had no room for in the first room that has. Throws LayoutError if none has. */
function placeAnywhere(kind: RegionKind, span: Span, rooms: Room[], survey: TraceSurvey, blocks: number): MappedRegion {
  const size = span.end - span.start;
  const room = rooms.find((r) => r.high - r.low >= size);
  if (room === undefined) throw cannotFit(survey, blocks, span, rooms);
  const placed = region(kind, span, room.low);
  room.low += size + 1;
  return placed;
}

/** The one-line refusal: how many pages the trace needs, how many fit, or which block fits nowhere. */
function cannotFit(survey: TraceSurvey, blocks: number, span: Span, rooms: Room[]): LayoutError {
  const fit = (USER_STACK_TOP - USER_CODE_BASE) / 4096;
  const need = survey.distinctPages + blocks - 1;
  if (need > fit) {
    return new LayoutError(
      `the trace needs ${need} pages of EYN-OS's user space (${survey.distinctPages} distinct pages in ${blocks} regions, ` +
        `a guard page between regions) and ${fit} fit (${pageAddress(USER_CODE_BASE >>> 12)}-${pageAddress(USER_STACK_TOP >>> 12)})`,
    );
  }
  const largest = rooms.reduce((m, r) => Math.max(m, r.high - r.low), 0);
  return new LayoutError(
    `the trace's region ${pageAddress(span.start)}-${pageAddress(span.end)} needs ${span.end - span.start} pages ` +
      `(its gaps kept); the largest free range of EYN-OS's user space left for it has ${largest}`,
  );
}

/** The heap's break: the end of the last block placed in the heap region (its base if none). */
function heapBreakOf(regions: readonly MappedRegion[]): number {
  let end = TARGET.heap.base;
  for (const r of regions) {
    if (r.eynStart >= TARGET.heap.base && r.eynStart < TARGET.heap.end) end = Math.max(end, r.eynStart + (r.traceEnd - r.traceStart));
  }
  return end;
}

function region(kind: RegionKind, s: Span, eynStart: number): MappedRegion {
  return { kind, traceStart: s.start, traceEnd: s.end, eynStart, pages: s.pages };
}

/** The byte address of a page number as 0x-hex, at least 8 digits (page 2^20, the end of 32 bits, is 0x100000000). */
export function pageAddress(page: number): string {
  return "0x" + (page * 4096).toString(16).padStart(8, "0");
}

/** The mapping as a small text table: trace range -> EYN-OS range, pages, kind. */
export function formatMapping(m: LayoutMapping): string {
  const ranges = m.regions.map((r) => `${pageAddress(r.traceStart)}-${pageAddress(r.traceEnd)}`);
  // 64-bit trace addresses are wider: the column grows to the widest.
  const width = Math.max(21, ...ranges.map((t) => t.length));
  const lines = [`${"trace range".padEnd(width + 7)}EYN-OS range                pages  kind`];
  m.regions.forEach((r, i) => {
    const eynEnd = r.eynStart + (r.traceEnd - r.traceStart);
    lines.push(
      `${ranges[i].padEnd(width)} -> ${pageAddress(r.eynStart)}-${pageAddress(eynEnd)}  ${String(r.pages).padStart(5)}  ${r.kind}`,
    );
  });
  return lines.join("\n");
}

/** Where a replay puts the trace's pages on EYN-OS (convert's libCacheSim outputs map pages the same way); a refusal names `file`. */
export function replayLayout(survey: TraceSurvey, brkStart?: number, file?: string): LayoutMapping {
  try {
    return planLayout(survey, { brkStart });
  } catch (e) {
    throw e instanceof LayoutError && file !== undefined && e.where === undefined ? new LayoutError(e.detail, file) : e;
  }
}
