/**
 * Eviction (seed parts 9-10, fixing defects 4-6): free a frame by writing its
 * page to swap and turning every PTE that maps it into a SWAPPED entry.
 *
 * The victim comes from the replacement policy. All PTEs of a shared frame
 * are found through the reverse map and all name the same slot, whose count
 * is the number of PTEs (the seed rewrote one PTE and handed the frame to a
 * new owner while the others still mapped it). The page is written unless
 * it is in the swap cache and still equal to its slot's copy (mapped only
 * read-only since swap-in): then its PTEs join those already naming the
 * slot, with no write. The seed has no file-backed pager, so otherwise swap
 * is the only copy and every victim is written.
 * A failed slot allocation or write leaves the page resident and mapped,
 * tells the policy to keep it, and the next victim is tried; a slot whose
 * write failed is retired (swap-area.ts), so the next victim gets another.
 * With every slot in use, only clean swap-cache pages can go (they need no
 * slot): the policy's other victims are kept, as Linux activates an
 * anonymous page it cannot add to a full swap.
 * A policy with working-set detection gets to leave a shadow entry with the
 * slot (swap-shadows.ts).
 */

import { PTE } from "../machine/i386.js";
import { FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import type { AddressSpace } from "./address-space-record.js";
import { NO_PTE, walk } from "./page-tables.js";
import { entryFrame, swappedEntry } from "./pte.js";
import type { WorkingSetHooks } from "./replacement/policy.js";
import type { SwapArea } from "./swap-area.js";

/**
 * Who evicts, for vmstat: an allocation that found no free frame or the
 * user-frame limit reached (direct reclaim, in the allocating context: there
 * is no kswapd), or `Vmm.reclaim` (proactive, Linux's memory.reclaim).
 */
export type Reclaimer = "direct" | "proactive";

/**
 * Evicts one user page for `reclaimer`, freeing its frame for the page
 * `incomingKey` (if known); false when nothing could be evicted.
 */
export function evictOne(k: KernelState, reclaimer: Reclaimer, incomingKey?: number): boolean {
  const swap = k.swap;
  if (swap === null || !canEvict(swap)) return false;
  const policy = k.policy;
  k.tlb.deferBegin();
  let evicted = false;
  // Each failed victim is kept (treated as used), so one pass over what is resident suffices.
  for (let tries = policy.size; tries > 0 && !evicted; tries--) {
    const pfn = policy.selectVictim(incomingKey);
    if (pfn < 0) break;
    if (reclaimer === "direct") k.stat.pgscan_direct++;
    else k.stat.pgscan_proactive++;
    if (k.frameTable.pinned[pfn] !== 0 || k.frameTable.kind[pfn] !== FrameKind.USER || (swap.freeSlots === 0 && !isCleanCached(k, pfn))) {
      // With no slot free, only a page its slot still holds can go (Linux activates the rest).
      policy.keep(pfn);
      continue;
    }
    const written = k.stat.pswpout;
    evicted = evictFrame(k, pfn);
    if (evicted) {
      if (reclaimer === "direct") k.stat.pgsteal_direct++;
      else k.stat.pgsteal_proactive++;
      // Direct reclaim waits for its write in the faulting context: the current space stalls.
      if (reclaimer === "direct" && k.stat.pswpout !== written && k.current !== k.kernelSpace) k.psi.chargeWrite(k.current);
    } else {
      k.vmm386.evict_failed++;
      policy.keep(pfn);
      if (!canEvict(swap)) break;
    }
  }
  k.tlb.deferEnd();
  return evicted;
}

/** Can anything be evicted at all: a slot is free, or the swap cache holds a page that needs none. */
function canEvict(swap: SwapArea): boolean {
  return swap.freeSlots > 0 || swap.cache.size > 0;
}

/** Is user frame `pfn` a swap-cache page equal to its slot (evicted with no slot and no write)? */
function isCleanCached(k: KernelState, pfn: number): boolean {
  return k.swap !== null && k.swap.cache.slotOf(pfn) >= 0 && cleanAgainstSlot(k, pfn);
}

/**
 * The seed's swap_out_page for one page: swaps the page at `va` of `space`
 * out, whatever the policy would choose; returns the slot its PTEs now
 * name, or -1 (not a resident user page, pinned, no swap, no slot free, or
 * a write error). A frame other spaces share goes out of all of them, as in
 * eviction (the seed rewrote this PTE only and freed a frame others still
 * mapped: defect 4).
 */
export function swapOutPage(k: KernelState, space: AddressSpace, va: number): number {
  const pteAddr = walk(k.memory, space.pdPhys, va);
  if (pteAddr === NO_PTE) return -1;
  const entry = k.memory.read32(pteAddr);
  const pfn = entryFrame(entry);
  const ft = k.frameTable;
  if ((entry & PTE.PRESENT) === 0 || pfn >= ft.frames || ft.kind[pfn] !== FrameKind.USER || ft.pinned[pfn] !== 0) return -1;
  k.tlb.deferBegin();
  const evicted = evictFrame(k, pfn);
  k.tlb.deferEnd();
  return evicted ? entryFrame(k.memory.read32(pteAddr)) : -1;
}

/**
 * Unmaps user frame `pfn` everywhere, its PTEs naming a slot that holds its
 * page: the slot it is a clean swap-cache copy of (nothing written), or a
 * fresh slot it is written to. False if the slot or the write failed.
 */
export function evictFrame(k: KernelState, pfn: number): boolean {
  const swap = k.swap;
  if (swap === null) return false;
  let slot = swap.cache.slotOf(pfn);
  const clean = isCleanCached(k, pfn);
  if (!clean) {
    swap.cache.unlinkFrame(pfn);
    slot = swap.allocSlot();
    if (slot < 0) return false;
    if (!swap.writePage(slot, k.memory, pfn)) {
      swap.retire(slot); // released, it would stay the lowest free slot and take every later victim
      k.vmm386.swap_bad_slots++;
      return false;
    }
  }
  const ft = k.frameTable;
  const mem = k.memory;
  if (k.events !== null) tellEviction(k, pfn, slot, clean);
  let ptes = 0;
  for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) {
    const pteAddr = ft.nodePteAddr(node);
    mem.write32(pteAddr, swappedEntry(slot, mem.read32(pteAddr)));
    k.invalidatePte(pteAddr);
    const space = k.spaces.get(ft.spaceOfPte(pteAddr));
    if (space !== undefined) {
      space.rss--;
      space.swapped++;
    }
    ptes++;
  }
  if (clean) swap.addReferences(slot, ptes);
  else swap.setReferences(slot, ptes);
  // The slot keeps the policy's shadow entry, as Linux's swap cache keeps it at the slot's index.
  if (k.shadows !== null) k.shadows.store(slot, (k.policy.workingSet as WorkingSetHooks).evicted(pfn));
  k.policy.remove(pfn);
  k.userResident--;
  k.releaseFrame(pfn); // drops the reverse-map nodes and the swap-cache association with the frame
  if (clean) k.vmm386.swapout_clean++;
  else k.stat.pswpout++;
  return true;
}

/**
 * Conservatively, may frame `pfn` (in the swap cache) still equal its slot?
 * Only if no PTE mapping it is writable or Dirty: the cache admits read-only
 * mappings only and leaves it when COW is broken in place, so this holds
 * unless someone wrote the page behind the kernel's back.
 */
function cleanAgainstSlot(k: KernelState, pfn: number): boolean {
  const ft = k.frameTable;
  for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) {
    if ((k.memory.read32(ft.nodePteAddr(node)) & (PTE.RW | PTE.DIRTY)) !== 0) return false;
  }
  return true;
}

/** Tells the event sink that frame `pfn` goes to `slot`, with who maps it (read before the PTEs change). */
function tellEviction(k: KernelState, pfn: number, slot: number, clean: boolean): void {
  const ft = k.frameTable;
  const mappings: { spaceId: number; va: number }[] = [];
  for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) {
    const pteAddr = ft.nodePteAddr(node);
    mappings.push({ spaceId: ft.spaceOfPte(pteAddr), va: ft.vaOfPte(pteAddr) });
  }
  k.events?.event({ type: "evict", pfn, slot, clean, mappings });
}
