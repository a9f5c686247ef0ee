/**
 * Address spaces (seed part 5): create, destroy, clone for fork, switch.
 *
 * Fork shares every user frame with the child and counts it (defects 1-2):
 * a writable page becomes read-only + COW in both; a read-only page is
 * shared as is, its count keeping it alive as long as either maps it. A
 * SWAPPED entry is copied and its slot counted (defect 3); DEMAND entries
 * and mappings of device memory (device-memory.ts) are copied as they are. Destroy drops every reference, frees page tables
 * and the directory, and leaves nothing behind.
 */

import { PTE } from "../machine/i386.js";
import { type AddressSpace, newAddressSpaceRecord } from "./address-space-record.js";
import { isDeviceFrame } from "./device-memory.js";
import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_PD_INDEX, RECURSIVE_PD_INDEX, USER_HEAP_BASE, USER_STACK_TOP } from "./layout.js";
import { allocKernelFrame, releaseEntry } from "./page-frames.js";
import { NO_PTE, tableOf } from "./page-tables.js";
import { KPTE, entryFrame } from "./pte.js";

/** A new space: kernel half shared, own recursive slot, empty user half; null when out of memory. */
export function createAddressSpace(k: KernelState): AddressSpace | null {
  const id = k.nextSpaceId;
  const pd = allocKernelFrame(k, FrameKind.PAGE_DIRECTORY, id);
  if (pd < 0) return null;
  k.nextSpaceId++;
  const mem = k.memory;
  const pdPhys = pd * 4096;
  mem.zeroFrame(pd);
  const kernelPd = k.kernelSpace.pdPhys;
  for (let i = KERNEL_PD_INDEX; i < RECURSIVE_PD_INDEX; i++) mem.write32(pdPhys + i * 4, mem.read32(kernelPd + i * 4));
  mem.write32(pdPhys + RECURSIVE_PD_INDEX * 4, pdPhys | PTE.PRESENT | PTE.RW);
  const space = newAddressSpaceRecord(id, pdPhys, USER_HEAP_BASE, USER_STACK_TOP - 4096);
  space.windowStart = k.now;
  k.spaces.set(id, space);
  return space;
}

/** Drops one reference; the last frees every user page, slot, page table and the directory. */
export function destroyAddressSpace(k: KernelState, space: AddressSpace): void {
  if (space === k.kernelSpace || !space.alive) return;
  if (--space.refcount > 0) return;
  // The directory is about to be freed: never leave CR3 pointing at it.
  if (space === k.current) switchAddressSpace(k, k.kernelSpace);
  const mem = k.memory;
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const pt = tableOf(mem, space, pdi);
    if (pt === NO_PTE) continue;
    for (let pti = 0; pti < 1024; pti++) {
      const entry = mem.read32(pt + pti * 4);
      if (entry !== 0) releaseEntry(k, space, pt + pti * 4, entry);
    }
    mem.write32(space.pdPhys + pdi * 4, 0);
    k.releaseFrame(pt / 4096);
  }
  k.releaseFrame(space.pdPhys / 4096);
  space.alive = false;
  k.spaces.delete(space.id);
}

/** Fork: a copy of `src` sharing its frames copy-on-write; null (and nothing leaked) when out of memory. */
export function cloneAddressSpace(k: KernelState, src: AddressSpace): AddressSpace | null {
  const dst = createAddressSpace(k);
  if (dst === null) return null;
  dst.heapBreak = src.heapBreak;
  dst.stackBottom = src.stackBottom;
  const mem = k.memory;
  k.tlb.deferBegin();
  let ok = true;
  for (let pdi = 0; pdi < KERNEL_PD_INDEX && ok; pdi++) {
    if (tableOf(mem, src, pdi) === NO_PTE) continue;
    // Allocate first: eviction may rewrite src's entries, which are read only afterwards.
    const dstPt = allocKernelFrame(k, FrameKind.PAGE_TABLE, dst.id, pdi);
    if (dstPt < 0) {
      ok = false;
      break;
    }
    mem.zeroFrame(dstPt);
    const srcPt = tableOf(mem, src, pdi);
    mem.write32(dst.pdPhys + pdi * 4, (dstPt << 12) | (mem.read32(src.pdPhys + pdi * 4) & 0xfff));
    for (let pti = 0; pti < 1024; pti++) copyEntry(k, src, dst, srcPt + pti * 4, dstPt * 4096 + pti * 4);
  }
  k.tlb.deferEnd();
  if (!ok) {
    destroyAddressSpace(k, dst);
    return null;
  }
  return dst;
}

/** Copies one user entry from `src` to `dst`, sharing and counting what it names. */
function copyEntry(k: KernelState, src: AddressSpace, dst: AddressSpace, srcPte: number, dstPte: number): void {
  const mem = k.memory;
  let entry = mem.read32(srcPte);
  if (entry === 0) return;
  if ((entry & PTE.PRESENT) !== 0) {
    const pfn = entryFrame(entry);
    if (isDeviceFrame(k, pfn)) {
      mem.write32(dstPte, entry); // device memory (mapPage): shared as it is, never copied
      return;
    }
    if (k.frameTable.kind[pfn] !== FrameKind.USER) return; // not a user page: not inherited
    if ((entry & PTE.RW) !== 0) {
      entry = (entry & ~PTE.RW) | KPTE.COW;
      mem.write32(srcPte, entry);
      k.invalidatePte(srcPte);
    }
    k.frameTable.addMapping(pfn, dstPte);
    dst.rss++;
  } else if ((entry & KPTE.SWAPPED) !== 0) {
    k.swap?.addReference(entryFrame(entry));
    dst.swapped++;
  }
  mem.write32(dstPte, entry);
}

/** Makes `space` the active one: CR3 reload (TLB flushed). */
export function switchAddressSpace(k: KernelState, space: AddressSpace): void {
  if (space === k.current || !space.alive) return;
  k.current = space;
  k.mmu.loadCr3(space.pdPhys);
}
