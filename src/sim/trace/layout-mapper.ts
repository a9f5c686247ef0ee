/**
 * Maps a 32-bit Linux program's trace onto the EYN-OS address space.
 *
 * Linux (and Valgrind's guest) layout          EYN-OS layout (src/kernel/layout.ts)
 *   0x00108000 / 0x08048000  text, data, bss  ->  USER_CODE_BASE..   code/data
 *   right after bss          brk heap         ->  USER_HEAP_BASE..   heap (brk)
 *   0x04000000.. (etc.)      mmap area        ->  USER_SHARED_BASE.. shared (mmap)
 *   0xFEFFxxxx / 0xBFFFxxxx  stack            ->  below USER_STACK_TOP (stack growth)
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
 * between clusters) instead.
 */

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
import { PAGE_COUNT, PAGE_FLAG, type TraceSurvey } from "./trace-survey.js";

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
  /** Byte delta added to an address of each trace page (0 for untouched pages). */
  readonly delta: Int32Array;
  /** End of the heap on EYN-OS (USER_HEAP_BASE when the trace has no heap). */
  readonly heapBreak: number;
  /** Code/data were placed in the shared region (see LayoutOptions). */
  readonly imageInShared: boolean;
}

/** A span of pages [start, end) with its touched-page count. */
interface Span {
  start: number;
  end: number;
  pages: number;
  fetched: boolean;
}

/** The EYN-OS region of each kind, in pages. */
const TARGET: Record<RegionKind, { base: number; end: number }> = {
  code: { base: USER_CODE_BASE >>> 12, end: USER_CODE_END >>> 12 },
  heap: { base: USER_HEAP_BASE >>> 12, end: USER_HEAP_END >>> 12 },
  mmap: { base: USER_SHARED_BASE >>> 12, end: USER_SHARED_END >>> 12 },
  stack: { base: USER_STACK_BASE >>> 12, end: USER_STACK_TOP >>> 12 },
};

/**
 * Where code/data go when the kernel offers no way to map the code region
 * (no loader call): the upper half of the shared region, mmap blocks keeping
 * the lower half.
 */
const TARGET_IMAGE_IN_SHARED: Record<RegionKind, { base: number; end: number }> = {
  ...TARGET,
  code: { base: 0x98000, end: USER_SHARED_END >>> 12 },
  mmap: { base: USER_SHARED_BASE >>> 12, end: 0x98000 },
};

export interface LayoutOptions {
  /** Place code/data in the shared region (mmap'd) instead of USER_CODE_BASE.. (default false). */
  readonly imageInShared?: boolean;
  /**
   * Where the brk heap starts in the trace (byte address, e.g. the end of
   * the ELF's last LOAD segment rounded up to a page), instead of the
   * heuristic. It must fall inside (or at the end of) the program image's pages.
   */
  readonly brkStart?: number;
}

/** Error for a trace whose regions cannot fit EYN-OS's user space. */
export class LayoutError extends Error {
  override name = "LayoutError";
}

/** Decides where every touched page of the trace goes on EYN-OS. Throws LayoutError if a class cannot fit. */
export function planLayout(survey: TraceSurvey, options: LayoutOptions = {}): LayoutMapping {
  const targets = options.imageInShared ? TARGET_IMAGE_IN_SHARED : TARGET;
  const runs = touchedRuns(survey.pages);
  const clusters = groupRuns(runs, CLUSTER_GAP);
  const kinds = new Map<Span, RegionKind>();
  const split = new Map<Span, number>(); // image cluster -> first heap page

  const top = clusters[clusters.length - 1];
  if (top !== undefined && top.end > STACK_CLASS_PAGE) kinds.set(top, "stack");
  const image = clusters.find((c) => c.fetched && !kinds.has(c));
  if (image !== undefined) {
    kinds.set(image, "code");
    const heapStart = options.brkStart === undefined ? heapStartIn(image, runs, survey.pages) : givenBrk(image, options.brkStart);
    if (heapStart > image.start && heapStart < image.end) split.set(image, heapStart);
  }

  const blocks: { kind: RegionKind; span: Span }[] = [];
  for (const c of clusters) {
    const kind = kinds.get(c) ?? "mmap";
    const h = split.get(c);
    if (h === undefined) {
      blocks.push({ kind, span: c });
    } else {
      blocks.push({ kind: "code", span: subSpan(c, c.start, h, survey.pages) });
      blocks.push({ kind: "heap", span: subSpan(c, h, c.end, survey.pages) });
    }
  }

  const regions: MappedRegion[] = [];
  for (const kind of ["code", "heap", "mmap", "stack"] as const) {
    regions.push(...placeClass(kind, targets[kind], blocks.filter((b) => b.kind === kind).map((b) => b.span)));
  }
  regions.sort((a, b) => a.traceStart - b.traceStart);

  const delta = new Int32Array(PAGE_COUNT);
  for (const r of regions) delta.fill(((r.eynStart - r.traceStart) << 12) | 0, r.traceStart, r.traceEnd);
  const heap = regions.filter((r) => r.kind === "heap");
  const heapEnd = heap.reduce((m, r) => Math.max(m, r.eynStart + (r.traceEnd - r.traceStart)), TARGET.heap.base);
  return { regions, delta, heapBreak: heapEnd * 4096, imageInShared: options.imageInShared ?? false };
}

/** The EYN-OS address of trace address `addr` under the mapping (unsigned). */
export function mapAddress(m: LayoutMapping, addr: number): number {
  return (addr + m.delta[addr >>> 12]) >>> 0;
}

/** Maximal runs of touched pages, in address order. */
function touchedRuns(pages: Uint8Array): Span[] {
  const runs: Span[] = [];
  // Untouched pages (nearly all of 2^20) are skipped four at a time.
  const aligned = (pages.byteOffset & 3) === 0 && pages.length >= PAGE_COUNT;
  const words = aligned ? new Uint32Array(pages.buffer, pages.byteOffset, PAGE_COUNT >>> 2) : new Uint32Array(1).fill(1);
  let p = 0;
  while (p < PAGE_COUNT) {
    if ((p & 3) === 0 && aligned && words[p >>> 2] === 0) {
      p += 4;
      continue;
    }
    if (pages[p] === 0) {
      p++;
      continue;
    }
    const start = p;
    let fetched = false;
    while (p < PAGE_COUNT && pages[p] !== 0) {
      if ((pages[p] & PAGE_FLAG.FETCHED) !== 0) fetched = true;
      p++;
    }
    runs.push({ start, end: p, pages: p - start, fetched });
  }
  return runs;
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
function heapStartIn(image: Span, runs: Span[], pages: Uint8Array): number {
  let lastFetched = image.start;
  for (let p = image.start; p < image.end; p++) if ((pages[p] & PAGE_FLAG.FETCHED) !== 0) lastFetched = p;
  let heapStart = image.start;
  for (const r of runs) {
    if (r.start > lastFetched && r.start > image.start && r.end <= image.end && pages[r.start - 1] === 0) {
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
function subSpan(c: Span, start: number, end: number, pages: Uint8Array): Span {
  let n = 0;
  for (let p = start; p < end; p++) if (pages[p] !== 0) n++;
  return { start, end, pages: n, fetched: c.fetched };
}

/**
 * Places a class's spans in its EYN-OS region: one delta for all when their
 * whole extent fits (stack: top page just below USER_STACK_TOP), else one per
 * span, packed with a guard page between.
 */
function placeClass(kind: RegionKind, target: { base: number; end: number }, spans: Span[]): MappedRegion[] {
  if (spans.length === 0) return [];
  const room = target.end - target.base;
  const lo = spans[0].start;
  const hi = spans[spans.length - 1].end;
  if (hi - lo <= room) {
    const base = kind === "stack" ? target.end - (hi - lo) : target.base;
    return spans.map((s) => region(kind, s, base + (s.start - lo)));
  }
  const need = spans.reduce((n, s) => n + (s.end - s.start) + 1, 0);
  if (need > room) {
    throw new LayoutError(
      `the trace's ${kind} pages span ${need * 4} KiB, more than EYN-OS's ${kind} region (${room * 4} KiB)`,
    );
  }
  const out: MappedRegion[] = [];
  if (kind === "stack") {
    let next = target.end;
    for (let i = spans.length - 1; i >= 0; i--) {
      next -= spans[i].end - spans[i].start;
      out.push(region(kind, spans[i], next));
      next -= 1;
    }
    return out.reverse();
  }
  let next = target.base;
  for (const s of spans) {
    out.push(region(kind, s, next));
    next += s.end - s.start + 1;
  }
  return out;
}

function region(kind: RegionKind, s: Span, eynStart: number): MappedRegion {
  return { kind, traceStart: s.start, traceEnd: s.end, eynStart, pages: s.pages };
}

/** The byte address of a page number as 0x-hex (page 2^20, the end of the address space, is 0x100000000). */
export function pageAddress(page: number): string {
  return "0x" + (page * 4096).toString(16).padStart(8, "0");
}

/** The mapping as a small text table: trace range -> EYN-OS range, pages, kind. */
export function formatMapping(m: LayoutMapping): string {
  const lines = ["trace range                 EYN-OS range                pages  kind"];
  for (const r of m.regions) {
    const eynEnd = r.eynStart + (r.traceEnd - r.traceStart);
    lines.push(
      `${pageAddress(r.traceStart)}-${pageAddress(r.traceEnd)} -> ${pageAddress(r.eynStart)}-${pageAddress(eynEnd)}  ${String(r.pages).padStart(5)}  ${r.kind}`,
    );
  }
  return lines.join("\n");
}
