/**
 * The invariant checker, in the spirit of Linux's DEBUG_VM: a full scan of
 * the bitmap, the frame table, every address space's page tables and the
 * swap map, reporting each disagreement. Off the hot path; on in tests.
 *
 *  - the bitmap agrees with the free count, and a frame is used iff it has a kind;
 *  - every used frame is accounted for: reserved, kernel, page table or
 *    directory of a live space, or a user page whose reference count equals
 *    the PTEs mapping it (and whose reverse map lists exactly those PTEs);
 *  - every used swap slot's count equals the PTEs naming it;
 *  - the swap cache links slots and frames both ways: a cached slot is in
 *    use (its count is the PTEs naming it), its frame is a mapped user page
 *    (its count is the PTEs mapping it, checked above) and no writable PTE
 *    maps it;
 *  - no present PTE points at a free frame; COW entries are read-only; a
 *    frame mapped by several PTEs is mapped writable by none;
 *  - resident counts and the policy agree with the frames in use;
 *  - with no user space left, no user frame, no slot and no swap-cache page is in use.
 */

import { PTE } from "../machine/i386.js";
import { FRAME_KIND_NAMES, FrameKind } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_PD_INDEX, RECURSIVE_PD_INDEX } from "./layout.js";
import { NO_PTE, tableOf } from "./page-tables.js";
import { KPTE, entryFrame } from "./pte.js";

export interface InvariantViolation {
  /** Which invariant: "bitmap", "frame", "user-refcount", "swap-refcount", "swap-cache", "sharing", "pte", "resident", "leak". */
  readonly rule: string;
  readonly detail: string;
}

const MAX_REPORTED = 50;

/** Every violation found (at most 50); [] when all invariants hold. */
export function checkInvariants(k: KernelState): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const report = (rule: string, detail: string): void => {
    if (out.length < MAX_REPORTED) out.push({ rule, detail });
  };
  const { frames, frameTable: ft, memory: mem } = k;
  const total = frames.totalFrames;
  if (frames.countFree() !== frames.freeFrames) report("bitmap", `bitmap has ${frames.countFree()} free frames, free count says ${frames.freeFrames}`);

  const mapped = new Int32Array(total);
  const writable = new Int32Array(total);
  const slotRefs = k.swap === null ? new Int32Array(0) : new Int32Array(k.swap.totalSlots);
  const seenTables = new Uint8Array(total);
  let userSpaces = 0;
  for (const space of k.spaces.values()) {
    if (space === k.kernelSpace) continue;
    userSpaces++;
    const pdPfn = space.pdPhys / 4096;
    if (ft.kind[pdPfn] !== FrameKind.PAGE_DIRECTORY || ft.ownerSpace[pdPfn] !== space.id) {
      report("frame", `directory of space ${space.id} (frame ${pdPfn}) is ${FRAME_KIND_NAMES[ft.kind[pdPfn]]}`);
    }
    if ((mem.read32(space.pdPhys + RECURSIVE_PD_INDEX * 4) & ~0xfff) >>> 0 !== space.pdPhys) report("pte", `space ${space.id}: slot 1023 is not recursive`);
    let rss = 0;
    for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
      const pt = tableOf(mem, space, pdi);
      if (pt === NO_PTE) continue;
      const ptPfn = pt / 4096;
      seenTables[ptPfn] = 1;
      if (ft.kind[ptPfn] !== FrameKind.PAGE_TABLE || ft.ownerSpace[ptPfn] !== space.id || ft.ownerSlot[ptPfn] !== pdi) {
        report("frame", `table of space ${space.id} slot ${pdi} (frame ${ptPfn}) is not recorded as its page table`);
        continue;
      }
      for (let pti = 0; pti < 1024; pti++) {
        const pteAddr = pt + pti * 4;
        const e = mem.read32(pteAddr);
        if (e === 0) continue;
        const where = `space ${space.id} va 0x${(((pdi << 22) | (pti << 12)) >>> 0).toString(16)}`;
        if ((e & KPTE.COW) !== 0 && (e & PTE.RW) !== 0) report("pte", `${where}: COW entry is writable`);
        if ((e & PTE.PRESENT) !== 0) {
          const pfn = entryFrame(e);
          rss++;
          if (pfn >= total || !frames.isUsed(pfn)) report("pte", `${where}: present entry maps free frame ${pfn}`);
          else if (ft.kind[pfn] !== FrameKind.USER) report("pte", `${where}: maps frame ${pfn} of kind ${FRAME_KIND_NAMES[ft.kind[pfn]]}`);
          else {
            mapped[pfn]++;
            if ((e & PTE.RW) !== 0) writable[pfn]++;
            if (!ft.mappingsOf(pfn).includes(pteAddr >>> 0)) report("user-refcount", `${where}: frame ${pfn}'s reverse map lacks this PTE`);
          }
        } else if ((e & KPTE.SWAPPED) !== 0) {
          const slot = entryFrame(e);
          if (k.swap === null || slot >= slotRefs.length) report("swap-refcount", `${where}: names slot ${slot} of no swap area`);
          else slotRefs[slot]++;
        } else if ((e & KPTE.DEMAND) === 0) report("pte", `${where}: entry 0x${(e >>> 0).toString(16)} in no known state`);
      }
    }
    if (rss !== space.rss) report("resident", `space ${space.id}: rss says ${space.rss}, page tables map ${rss}`);
  }

  let userFrames = 0;
  for (let pfn = 0; pfn < total; pfn++) {
    const kind = ft.kind[pfn];
    const used = frames.isUsed(pfn);
    if (used !== (kind !== FrameKind.FREE)) {
      report("frame", `frame ${pfn}: bitmap says ${used ? "used" : "free"}, kind is ${FRAME_KIND_NAMES[kind]}`);
      continue;
    }
    if (ft.pinned[pfn] !== 0) report("frame", `frame ${pfn} is still pinned`);
    if (kind === FrameKind.USER) {
      userFrames++;
      if (mapped[pfn] === 0) report("leak", `user frame ${pfn} is mapped by no PTE (refcount ${ft.refcount[pfn]})`);
      else if (ft.refcount[pfn] !== mapped[pfn] || ft.mappingsOf(pfn).length !== mapped[pfn]) {
        report("user-refcount", `frame ${pfn}: refcount ${ft.refcount[pfn]}, reverse map ${ft.mappingsOf(pfn).length}, PTEs ${mapped[pfn]}`);
      }
      if (writable[pfn] > 0 && mapped[pfn] > 1) report("sharing", `frame ${pfn} is mapped by ${mapped[pfn]} PTEs, ${writable[pfn]} of them writable`);
    } else if (kind === FrameKind.PAGE_TABLE) {
      if (seenTables[pfn] === 0) report("leak", `page table frame ${pfn} (space ${ft.ownerSpace[pfn]}) belongs to no live directory`);
    } else if (kind === FrameKind.PAGE_DIRECTORY) {
      const owner = k.spaces.get(ft.ownerSpace[pfn]);
      if (owner === undefined || owner.pdPhys !== pfn * 4096) report("leak", `directory frame ${pfn} belongs to no live space`);
    }
  }
  if (userFrames !== k.userResident) report("resident", `userResident ${k.userResident}, user frames ${userFrames}`);
  if (k.policy.size !== userFrames) report("resident", `policy tracks ${k.policy.size} frames, ${userFrames} are user pages`);
  if (userFrames > k.userFrameLimit) report("resident", `${userFrames} user pages resident, limit ${k.userFrameLimit}`);

  if (k.swap !== null) {
    let used = 0;
    for (let s = 0; s < slotRefs.length; s++) {
      const rc = k.swap.refcount[s];
      if (rc !== 0) used++;
      if (rc !== slotRefs[s]) report("swap-refcount", `slot ${s}: count ${rc}, PTEs naming it ${slotRefs[s]}`);
    }
    if (used !== k.swap.usedSlots) report("swap-refcount", `${used} slots in use, swap area says ${k.swap.usedSlots}`);
    checkSwapCache(k, mapped, writable, report);
  }
  const cached = k.swap?.cache.size ?? 0;
  if (userSpaces === 0 && (userFrames !== 0 || (k.swap !== null && k.swap.usedSlots !== 0) || cached !== 0)) {
    report("leak", `no user space left, yet ${userFrames} user frames, ${k.swap?.usedSlots ?? 0} slots and ${cached} swap-cache pages in use`);
  }
  return out;
}

/** The swap cache's two arrays agree, and each association joins a slot in use to a mapped, read-only user frame. */
function checkSwapCache(k: KernelState, mapped: Int32Array, writable: Int32Array, report: (rule: string, detail: string) => void): void {
  const swap = k.swap;
  if (swap === null) return;
  const { frameOfSlot, slotOfFrame } = swap.cache;
  const ft = k.frameTable;
  let links = 0;
  for (let slot = 0; slot < frameOfSlot.length; slot++) {
    const pfn = frameOfSlot[slot];
    if (pfn < 0) continue;
    links++;
    if (pfn >= ft.frames || slotOfFrame[pfn] !== slot) {
      report("swap-cache", `slot ${slot} names frame ${pfn}, which does not name it back`);
      continue;
    }
    if (swap.refcount[slot] <= 0) report("swap-cache", `slot ${slot} is cached in frame ${pfn} but has count ${swap.refcount[slot]}`);
    if (ft.kind[pfn] !== FrameKind.USER || mapped[pfn] === 0) report("swap-cache", `slot ${slot} is cached in frame ${pfn}, which is not a mapped user page`);
    if (writable[pfn] !== 0) report("swap-cache", `frame ${pfn} caches slot ${slot} but ${writable[pfn]} PTEs map it writable`);
  }
  for (let pfn = 0; pfn < slotOfFrame.length; pfn++) {
    const slot = slotOfFrame[pfn];
    if (slot >= 0 && (slot >= frameOfSlot.length || frameOfSlot[slot] !== pfn)) report("swap-cache", `frame ${pfn} names slot ${slot}, which does not name it back`);
  }
  if (links !== swap.cache.size) report("swap-cache", `${links} slots are cached, the cache counts ${swap.cache.size}`);
}
