/**
 * The aging walk MGLRU asks for (ReplacementHost.harvestReferenced): every
 * user address space's page tables are read, and each present user page whose
 * PTE has Accessed set (or that working-set sampling saw referenced) is
 * reported to the policy and its bit cleared — Linux's walk_mm /
 * walk_pte_range. The policy sees frame numbers only, never the PTEs.
 *
 * Like Linux on x86 (LRU_GEN_NONLEAF_YOUNG), the walk also clears the
 * directory entry's Accessed bit and skips a table whose bit is still clear
 * at the next walk: the MMU sets it on every walk through the entry, and
 * every PTE Accessed bit of the table was cleared (with its TLB entry) when
 * the directory bit was, so no page of such a table can have been used.
 *
 * Spaces are walked in creation order (Linux's mm_list FIFO), tables by
 * address. Each table is copied out of simulated memory in one read.
 */

import { FRAME_MASK, PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_PD_INDEX } from "./layout.js";
import type { ReferencedFrameSink } from "./replacement/policy.js";

const tableBytes = new Uint8Array(4096);
const tableWords = new Int32Array(tableBytes.buffer);
/** The user half of the directory being walked. */
const directoryEntries = new Int32Array(KERNEL_PD_INDEX);

/** Walks every user space, reporting referenced frames to `sink` and clearing their Accessed bits. */
export function harvestReferenced(k: KernelState, sink: ReferencedFrameSink): void {
  k.tlb.deferBegin();
  for (const space of k.spaces.values()) if (space !== k.kernelSpace) harvestSpace(k, space, sink);
  k.tlb.deferEnd();
}

/** The tables of `space` used since the last walk (directory entry Accessed). */
function harvestSpace(k: KernelState, space: AddressSpace, sink: ReferencedFrameSink): void {
  const mem = k.memory;
  mem.readFrame(space.pdPhys >>> 12, tableBytes);
  directoryEntries.set(tableWords.subarray(0, KERNEL_PD_INDEX));
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const pde = directoryEntries[pdi];
    if ((pde & (PTE.PRESENT | PTE.ACCESSED)) !== (PTE.PRESENT | PTE.ACCESSED) || (pde & PTE.PS) !== 0) continue;
    mem.write32(space.pdPhys + (pdi << 2), pde & ~PTE.ACCESSED);
    harvestTable(k, space, pdi, (pde & FRAME_MASK) >>> 0, sink);
  }
}

/** One page table at physical `pt`, serving directory slot `pdi` of `space`. */
function harvestTable(k: KernelState, space: AddressSpace, pdi: number, pt: number, sink: ReferencedFrameSink): void {
  const mem = k.memory;
  const ft = k.frameTable;
  const active = space === k.current;
  mem.readFrame(pt >>> 12, tableBytes);
  for (let pti = 0; pti < 1024; pti++) {
    const e = tableWords[pti];
    if ((e & PTE.PRESENT) === 0) continue;
    const pfn = e >>> 12;
    if (pfn >= ft.frames || ft.kind[pfn] !== FrameKind.USER) continue;
    let young = ft.softReferenced[pfn] !== 0;
    ft.softReferenced[pfn] = 0;
    if ((e & PTE.ACCESSED) !== 0) {
      mem.write32(pt + (pti << 2), e & ~PTE.ACCESSED);
      if (active) k.tlb.invalidatePage(((pdi << 22) | (pti << 12)) >>> 0);
      young = true;
    }
    if (young) sink.referencedFrame(pfn);
  }
}
