/**
 * The life of a frame beyond the bitmap: allocation that evicts when memory
 * (or the user-frame limit) runs out, and the user-page bookkeeping that
 * keeps the frame table, the reverse map, the replacement policy and the
 * resident counts in step with the PTEs.
 *
 * Reference counts (defects 1-2): a user frame's count is the number of PTEs
 * that map it; it is freed when the last one goes, never before.
 */

import { PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { evictOne } from "./eviction.js";
import { FrameKind, type FrameKindValue } from "./frame-table.js";
import { type KernelState, pageKey } from "./kernel-state.js";
import { KPTE, entryFrame, presentEntry } from "./pte.js";

/**
 * Takes a frame for a new user page, evicting first when the user-frame
 * limit is reached or RAM is full; -1 when nothing can be freed. The frame is
 * not yet counted as a user page: `installUserPage` does that. `key` is the
 * policy key of the page the frame is for (ARC and S3-FIFO consult their
 * ghost lists with it before choosing a victim).
 */
export function allocUserFrame(k: KernelState, key: number): number {
  while (k.userResident >= k.userFrameLimit) {
    if (!evictOne(k, "direct", key)) return allocFailed(k);
  }
  let pfn = k.takeFrame(FrameKind.KERNEL, k.frames.totalFrames);
  while (pfn < 0) {
    if (!evictOne(k, "direct", key)) return allocFailed(k);
    pfn = k.takeFrame(FrameKind.KERNEL, k.frames.totalFrames);
  }
  return pfn;
}

/**
 * Takes a frame the kernel reaches through its KERNEL_BASE alias (page
 * tables, directories, kernel heap), evicting user pages if needed; -1 if none.
 */
export function allocKernelFrame(k: KernelState, kind: FrameKindValue, ownerSpace = -1, ownerSlot = -1): number {
  for (;;) {
    const pfn = k.takeFrame(kind, k.aliasFrames, ownerSpace, ownerSlot);
    if (pfn >= 0) return pfn;
    if (!evictOne(k, "direct")) return allocFailed(k);
  }
}

function allocFailed(k: KernelState): number {
  k.vmm386.alloc_failed++;
  return -1;
}

/** Maps fresh user frame `pfn` at the PTE `pteAddr` of `space` (page `va`) with rights `flags`. */
export function installUserPage(k: KernelState, space: AddressSpace, pteAddr: number, va: number, pfn: number, flags: number): void {
  k.memory.write32(pteAddr, presentEntry(pfn, flags));
  const ft = k.frameTable;
  ft.kind[pfn] = FrameKind.USER;
  ft.addMapping(pfn, pteAddr);
  k.policy.insert(pfn, pageKey(space.id, va));
  k.userResident++;
  space.rss++;
}

/**
 * Tears down the entry `entry` held at `pteAddr`: a present user page loses
 * one reference (freed with the last), a SWAPPED entry drops its slot
 * reference, DEMAND needs nothing. Writes 0 and invalidates if it was present.
 */
export function releaseEntry(k: KernelState, space: AddressSpace, pteAddr: number, entry: number): void {
  k.memory.write32(pteAddr, 0);
  if ((entry & PTE.PRESENT) !== 0) {
    k.invalidatePte(pteAddr);
    const pfn = entryFrame(entry);
    if (k.frameTable.kind[pfn] !== FrameKind.USER) return;
    space.rss--;
    if (k.frameTable.removeMapping(pfn, pteAddr) === 0) freeUserFrame(k, pfn);
    return;
  }
  if ((entry & KPTE.SWAPPED) === 0) return;
  space.swapped--;
  k.swap?.dropReference(entryFrame(entry));
}

/** A user frame nobody maps any more: out of the policy and back to the allocator. */
export function freeUserFrame(k: KernelState, pfn: number): void {
  k.policy.remove(pfn);
  k.userResident--;
  k.releaseFrame(pfn);
}
