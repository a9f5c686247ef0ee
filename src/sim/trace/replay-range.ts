/**
 * The replay's host-free part: the regions mapped for its process (where
 * its pages go is layout-mapper.ts's replayLayout), and the access loop
 * itself — what the command line's replay (replay.ts) and the playground's
 * trace timeline (sim/timeline/trace-timeline.ts) both run.
 */
import { ACCESS, hex32 } from "../../machine/i386.js";
import { USER_CODE_END, USER_SHARED_BASE, USER_SHARED_END } from "../../kernel/layout.js";
import { PROT, type System } from "../system.js";
import type { LayoutMapping } from "./layout-mapper.js";
import { deltaOf, type PageDeltas } from "./page-deltas.js";
import { straddlePage, type TraceChunk } from "./trace-chunk.js";
import type { TraceFuture } from "./trace-future.js";

/** MMU access kind (PF W|U bits) of each TRACE_KIND: I and L read, S and M write. */
const ACCESS_OF_KIND = Int32Array.of(ACCESS.USER_READ, ACCESS.USER_READ, ACCESS.USER_WRITE, ACCESS.USER_WRITE);

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

/**
 * Replays accesses [from, to) of a chunk, telling OPT's future (if any)
 * about each page reference just before it is made; `deltas` are the
 * mapping's (NO_DELTAS for a chunk already in EYN-OS addresses). A
 * straddling access is made as its two page references in order (the part
 * in the first page, then the rest), which is exactly the traces README's
 * reference string. (A CPU would restart the whole
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
  deltas: PageDeltas,
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
