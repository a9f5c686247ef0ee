/**
 * Page-table walk (seed part 4), through simulated physical memory as the
 * seed goes through its KERNEL_BASE alias: a PTE is known by its physical
 * address, read and written with read32/write32, so the MMU walks the very
 * same words.
 */

import { PTE, FRAME_MASK } from "../machine/i386.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import { KERNEL_PD_INDEX } from "./layout.js";
import type { AddressSpace } from "./address-space-record.js";
import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { allocKernelFrame } from "./page-frames.js";

/** No PTE: the directory slot is empty (or maps a 4 MiB page). */
export const NO_PTE = -1;

/** Physical address of the PTE for `va` in the directory at `pdPhys`, or NO_PTE. */
export function walk(memory: PhysicalMemory, pdPhys: number, va: number): number {
  const table = tableAt(memory, pdPhys, va >>> 22);
  return table === NO_PTE ? NO_PTE : table + (((va >>> 12) & 0x3ff) << 2);
}

/**
 * Like `walk`, creating the page table if missing (a zeroed frame, PDE with
 * P|RW|US as in the seed). User half only: kernel tables are shared by all
 * spaces and made at boot. NO_PTE when out of memory.
 */
export function walkCreate(k: KernelState, space: AddressSpace, va: number): number {
  const pdi = va >>> 22;
  const pdeAddr = space.pdPhys + (pdi << 2);
  const pde = k.memory.read32(pdeAddr);
  if ((pde & PTE.PRESENT) !== 0) {
    if ((pde & PTE.PS) !== 0) return NO_PTE;
    return ((pde & FRAME_MASK) >>> 0) + (((va >>> 12) & 0x3ff) << 2);
  }
  if (pdi >= KERNEL_PD_INDEX) return NO_PTE;
  const pt = allocKernelFrame(k, FrameKind.PAGE_TABLE, space.id, pdi);
  if (pt < 0) return NO_PTE;
  k.memory.zeroFrame(pt);
  k.memory.write32(pdeAddr, (pt << 12) | PTE.PRESENT | PTE.RW | PTE.USER);
  return pt * 4096 + (((va >>> 12) & 0x3ff) << 2);
}

/** Physical address of the page table behind directory slot `pdi` of `space`, or NO_PTE. */
export function tableOf(memory: PhysicalMemory, space: AddressSpace, pdi: number): number {
  return tableAt(memory, space.pdPhys, pdi);
}

/** Physical address of the page table behind slot `pdi` of the directory at `pdPhys`, or NO_PTE. */
export function tableAt(memory: PhysicalMemory, pdPhys: number, pdi: number): number {
  const pde = memory.read32(pdPhys + (pdi << 2));
  if ((pde & PTE.PRESENT) === 0 || (pde & PTE.PS) !== 0) return NO_PTE;
  return (pde & FRAME_MASK) >>> 0;
}

/**
 * Calls `visit` for every non-zero entry of the user half of the directory
 * at `pdPhys`, in address order, with the address it maps, the entry and
 * the entry's physical address. Read-only: no A/D bit, no TLB is touched.
 */
export function forEachUserEntry(memory: PhysicalMemory, pdPhys: number, visit: (va: number, entry: number, pteAddr: number) => void): void {
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const table = tableAt(memory, pdPhys, pdi);
    if (table === NO_PTE) continue;
    for (let pti = 0; pti < 1024; pti++) {
      const pteAddr = table + (pti << 2);
      const entry = memory.read32(pteAddr);
      if (entry !== 0) visit(((pdi << 22) | (pti << 12)) >>> 0, entry >>> 0, pteAddr);
    }
  }
}
