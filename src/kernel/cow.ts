/**
 * Copy-on-write (seed part 8, fixing defect 1). A COW page is present,
 * read-only, with the COW bit, and its frame is counted once per PTE. A
 * write fault copies it into a private frame and drops one reference; the
 * last sharer takes the frame itself, made writable, without a copy (so a
 * page does not stay COW and shared after its sharers died). A frame
 * written in place leaves the swap cache: its slot keeps the old page for
 * the PTEs that still name it.
 */

import { PTE, hex32 } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { type FaultOutcome, RESOLVED, segv } from "./fault-outcome.js";
import { type KernelState, pageKey } from "./kernel-state.js";
import { allocUserFrame, installUserPage } from "./page-frames.js";
import { walk } from "./page-tables.js";
import { KPTE, entryFrame } from "./pte.js";

/** Breaks COW for the page `va` of `space` whose PTE at `pteAddr` holds `entry`. */
export function breakCow(k: KernelState, space: AddressSpace, pteAddr: number, entry: number, va: number): FaultOutcome {
  const ft = k.frameTable;
  const old = entryFrame(entry);
  const rights = (entry & 0xfff & ~(KPTE.COW | PTE.ACCESSED | PTE.DIRTY)) | PTE.RW;
  k.faults.cow++;
  if (ft.refcount[old] <= 1) {
    // Written in place from now on: no longer equal to a slot other PTEs may still name (they keep the disk copy).
    k.swap?.cache.unlinkFrame(old);
    k.memory.write32(pteAddr, (entry & ~KPTE.COW) | PTE.RW);
    k.invalidatePte(pteAddr);
    k.stat.pgreuse++;
    return RESOLVED.COW;
  }
  // Pinned, so that eviction to make room for the copy cannot take the source.
  ft.pinned[old] = 1;
  const copy = allocUserFrame(k, pageKey(space.id, va));
  ft.pinned[old] = 0;
  if (copy < 0) return segv(`out of memory: no frame for a copy-on-write copy of ${hex32(va)}`);
  k.memory.copyFrame(copy, old);
  ft.removeMapping(old, pteAddr);
  space.rss--; // installUserPage counts the private copy
  installUserPage(k, space, pteAddr, va, copy, rights);
  k.invalidatePte(pteAddr);
  k.vmm386.cow_copy++;
  return RESOLVED.COW;
}

/** Marks the present writable pages of [start, end) in `space` COW (seed's vmm_mark_region_cow). */
export function markRegionCow(k: KernelState, space: AddressSpace, start: number, end: number): void {
  k.tlb.deferBegin();
  for (let va = start - (start % 4096); va < end; va += 4096) {
    const pteAddr = walk(k.memory, space.pdPhys, va);
    if (pteAddr < 0) continue;
    const entry = k.memory.read32(pteAddr);
    if ((entry & PTE.PRESENT) === 0 || (entry & PTE.RW) === 0) continue;
    k.memory.write32(pteAddr, (entry & ~PTE.RW) | KPTE.COW);
    if (space === k.current) k.tlb.invalidatePage(va);
  }
  k.tlb.deferEnd();
}
