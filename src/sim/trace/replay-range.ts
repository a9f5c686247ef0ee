/**
 * The replay's host-free part: where a trace's pages go on EYN-OS, the
 * regions mapped for its process, and the access loop itself — what the
 * command line's replay (replay.ts) and the playground's trace timeline
 * (sim/timeline/trace-timeline.ts) both run.
 */
import { ACCESS, hex32 } from "../../machine/i386.js";
import { USER_CODE_END, USER_SHARED_BASE, USER_SHARED_END } from "../../kernel/layout.js";
import { PROT, type System } from "../system.js";
import { LayoutError, planLayout, type LayoutMapping } from "./layout-mapper.js";
import { straddlePage, type TraceChunk } from "./trace-chunk.js";
import type { TraceFuture } from "./trace-future.js";
import { PAGE_COUNT, type TraceSurvey } from "./trace-survey.js";

/** 4 MiB blocks of a 32-bit address space, pages in one, and the mark of a block whose pages move by different deltas (never a delta: those are whole pages). */
const BLOCKS = 1024;
const BLOCK_PAGES = 1024;
const MIXED = 1;

/** MMU access kind (PF W|U bits) of each TRACE_KIND: I and L read, S and M write. */
const ACCESS_OF_KIND = Int32Array.of(ACCESS.USER_READ, ACCESS.USER_READ, ACCESS.USER_WRITE, ACCESS.USER_WRITE);

/** Where a replay puts the trace's pages on EYN-OS (convert's libCacheSim outputs map pages the same way); a refusal names `file`. */
export function replayLayout(survey: TraceSurvey, brkStart?: number, file?: string): LayoutMapping {
  try {
    return planLayout(survey, { brkStart });
  } catch (e) {
    throw e instanceof LayoutError && file !== undefined && e.where === undefined ? new LayoutError(e.detail, file) : e;
  }
}

/**
 * Maps the EYN-OS regions of the trace's process, each by the call its place
 * asks for: blocks in the shared region by mmap, in the code region by the
 * loader call, demand-zero and writable (a trace does not say which pages
 * are read-only); the heap's brk covers the blocks in the heap region, and
 * the stack grows on its own. Returns null, or the region the kernel refused
 * (say, no memory left for page tables).
 */
export function setUpRegions(system: System, pid: number, mapping: LayoutMapping): string | null {
  const prot = PROT.READ | PROT.WRITE;
  for (const r of mapping.regions) {
    const va = r.eynStart * 4096;
    const len = (r.traceEnd - r.traceStart) * 4096;
    const what = `${r.kind} region ${hex32(va)}-${hex32(va + len)}`;
    if (va >= USER_SHARED_BASE && va < USER_SHARED_END) {
      if (!system.mmap(pid, va, len, prot)) return what;
    } else if (va < USER_CODE_END) {
      if (!system.mapImage(pid, va, len, prot)) return what;
    }
  }
  return system.brk(pid, mapping.heapBreak) ? null : `heap (brk to ${hex32(mapping.heapBreak)})`;
}

let zeroes: Int32Array | null = null;

/** pageDeltas of a delta of 0 for every page: a 64-bit trace's chunks arrive already in EYN-OS addresses (mapWideChunk). */
export function zeroDeltas(): Int32Array {
  zeroes ??= pageDeltas(new Int32Array(PAGE_COUNT));
  return zeroes;
}

/**
 * A page delta table (LayoutMapping.delta) as replayRange reads it: the
 * first 1,024 entries give each 4 MiB block its one delta, or MIXED when
 * its pages move by different deltas; the page deltas follow (entry 1,024 +
 * page). A trace that touches 150,000 pages spreads its page deltas over
 * 600 KiB, past the host's L2 cache: read per access, they cost a cache
 * miss each; the 4 KiB block table stays in L1.
 */
export function pageDeltas(delta: Int32Array): Int32Array {
  const deltas = new Int32Array(BLOCKS + delta.length);
  deltas.set(delta, BLOCKS);
  for (let b = 0; b < BLOCKS; b++) deltas[b] = blockDelta(delta, b * BLOCK_PAGES);
  return deltas;
}

/** The delta every page of the block from page `first` moves by, or MIXED. */
function blockDelta(delta: Int32Array, first: number): number {
  const d = delta[first];
  for (let p = first + 1; p < first + BLOCK_PAGES; p++) if (delta[p] !== d) return MIXED;
  return d;
}

/**
 * Replays accesses [from, to) of a chunk, telling OPT's future (if any)
 * about each page reference just before it is made; `deltas` as pageDeltas
 * gives them. A straddling access is made as its two page references in
 * order (the part in the first page, then the rest), which is exactly the
 * traces README's reference string. (A CPU would restart the whole
 * instruction if the second page's fault evicted the first; with CLOCK
 * that re-reference can change the fault count by a few in millions and
 * break agreement with the textbook simulators.) Returns `to`, or one past
 * the access the process died of (or the kernel panicked on).
 */
export function replayRange(
  system: System,
  pid: number,
  chunk: TraceChunk,
  from: number,
  to: number,
  deltas: Int32Array,
  future: TraceFuture | null,
): number {
  const addrs = chunk.addr;
  const kinds = chunk.kind;
  const sizes = chunk.size;
  for (let i = from; i < to; i++) {
    const a = addrs[i];
    const kind = ACCESS_OF_KIND[kinds[i]];
    const va = (a + deltaOf(deltas, a)) >>> 0;
    if (future !== null) future.advance(va >>> 12);
    if (!system.accessPage(pid, va, kind)) return i + 1;
    const second = straddlePage(a, sizes[i]);
    if (second < 0) continue;
    const b = second << 12;
    const vb = (b + deltaOf(deltas, b)) >>> 0;
    if (future !== null) future.advance(vb >>> 12);
    if (!system.accessPage(pid, vb, kind)) return i + 1;
  }
  return to;
}

/** The delta of trace address `a` in pageDeltas' table. */
function deltaOf(deltas: Int32Array, a: number): number {
  const d = deltas[a >>> 22];
  return d !== MIXED ? d : deltas[BLOCKS + (a >>> 12)];
}
