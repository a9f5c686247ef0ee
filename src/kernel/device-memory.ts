/**
 * Mapping memory the kernel does not manage into a process (the seed's
 * vmm_map_page, for what a driver maps: the framebuffer, a device's buffer,
 * a range kept out of the allocator with vmm_reserve_phys_range).
 *
 * Why only such memory: a frame the allocator hands out is a user page
 * counted by the PTEs that map it, freed with the last and evicted through
 * all of them (defects 1-4), or a page table, a directory or a kernel page.
 * A PTE written behind those counts would go on mapping the frame after it
 * was freed, evicted or reused. Device and reserved frames are never
 * allocated, freed or evicted, so a PTE may simply name them: such a mapping
 * is not counted in the space's rss, never enters the replacement policy,
 * is shared as it is by fork (device memory is not copied; Linux shares
 * VM_PFNMAP mappings alike) and is dropped with nothing freed by munmap and
 * exit.
 */

import { PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_BASE } from "./layout.js";
import { releaseEntry } from "./page-frames.js";
import { NO_PTE, walkCreate } from "./page-tables.js";
import { entryFrame, presentEntry } from "./pte.js";

/** Entry bits mapPage takes from its caller: P is added, the OS bits are the kernel's own. */
const MAP_FLAGS = PTE.RW | PTE.USER | PTE.PWT | PTE.PCD;

/** Is `pfn` a frame the kernel never allocates (beyond tracked RAM, or reserved)? */
export function isDeviceFrame(k: KernelState, pfn: number): boolean {
  return pfn >= k.frames.totalFrames || k.frameTable.kind[pfn] === FrameKind.RESERVED;
}

/**
 * Maps the frame at physical address `pa` at `va` of user space `space` with
 * `flags` (RW, USER, PWT, PCD; other bits ignored), making the directory
 * entry user too for a user mapping, as the seed. An entry already there is
 * replaced: a page, slot or demand-zero promise of the process is given up
 * as munmap would, another device mapping rewritten. The old translation is
 * invalidated only if it was present and `space` is active. False, changing
 * nothing, for the kernel's space, the kernel half, a frame the allocator
 * manages, or when no page table can be had.
 */
export function mapPage(k: KernelState, space: AddressSpace, va: number, pa: number, flags: number): boolean {
  if (space === k.kernelSpace || !space.alive) return false;
  if (!Number.isInteger(va) || va < 0 || va >= KERNEL_BASE || !Number.isInteger(pa) || pa < 0 || pa >= 2 ** 32) return false;
  const pfn = Math.floor(pa / 4096);
  if (!isDeviceFrame(k, pfn)) return false;
  const pteAddr = walkCreate(k, space, va);
  if (pteAddr === NO_PTE) return false;
  const mem = k.memory;
  if ((flags & PTE.USER) !== 0) {
    const pdeAddr = space.pdPhys + ((va >>> 22) << 2);
    mem.write32(pdeAddr, mem.read32(pdeAddr) | PTE.USER);
  }
  const old = mem.read32(pteAddr);
  const rewrite = (old & PTE.PRESENT) !== 0 && isDeviceFrame(k, entryFrame(old));
  if (old !== 0 && !rewrite) releaseEntry(k, space, pteAddr, old); // invalidates the old page if it was present
  mem.write32(pteAddr, presentEntry(pfn, flags & MAP_FLAGS));
  if (rewrite) k.invalidatePte(pteAddr);
  return true;
}
