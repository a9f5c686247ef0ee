/**
 * The invariant checker, in the spirit of Linux's DEBUG_VM: a full scan of
 * the bitmap, the frame table, every address space's page tables and the
 * swap map, reporting each disagreement. Off the hot path; on in tests.
 *
 *  - the bitmap agrees with the free count, and a frame is used iff it has a kind;
 *  - the kernel's page directory and every page table it names are boot
 *    allocations in use (not free, not kernel-heap pages kfreePage could
 *    free), and every user space's kernel half is the kernel's;
 *  - every used frame is accounted for: reserved, kernel, page table or
 *    directory of a live space, or a user page whose reference count equals
 *    the PTEs mapping it (and whose reverse map lists exactly those PTEs);
 *  - every used swap slot's count equals the PTEs naming it; a retired (bad)
 *    slot has no count and no PTE, and counts as neither free nor in use;
 *  - the swap cache links slots and frames both ways: a cached slot is in
 *    use (its count is the PTEs naming it), its frame is a mapped user page
 *    (its count is the PTEs mapping it, checked above) and no writable PTE
 *    maps it;
 *  - no present PTE points at a free frame or at a frame of the kernel's
 *    (device and reserved memory mapped by mapPage are not the kernel's to
 *    count); COW entries are read-only; a frame mapped by several PTEs is
 *    mapped writable by none;
 *  - resident counts and the policy agree with the frames in use, and a
 *    policy with lists of its own (linux, mglru) finds them consistent;
 *    each space's rss and swapped counters with its present and SWAPPED entries;
 *  - with no user space left, no user frame, no slot and no swap-cache page is in use.
 *
 * It runs after every operation in the property tests, so the scan itself is
 * kept lean: each directory and page table is copied out in one read into a
 * reused buffer, and the runs of entries, slots and frames that break no rule
 * (empty entries, free unnamed slots, uncached slots) are passed over eight
 * at a time by testing 64-bit lanes of the arrays (a BigInt64Array view over
 * the same bytes: one load and one test for two entries, exact, with no
 * allocation in optimised code); the same lanes compare eight shared
 * directory slots with the kernel's at once. Counters are typed arrays
 * reused between calls, and the text of a violation (with its "where") is
 * built only when one is reported.
 */

import { FRAME_MASK, PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { FRAME_KIND_NAMES, FrameKind, type FrameTable } from "./frame-table.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_PD_INDEX, RECURSIVE_PD_INDEX } from "./layout.js";
import { KPTE } from "./pte.js";
import { hasLists } from "./replacement/policy-lists.js";

export interface InvariantViolation {
  /** Which invariant: "bitmap", "frame", "user-refcount", "swap-refcount", "swap-cache", "sharing", "pte", "resident", "policy", "leak". */
  readonly rule: string;
  readonly detail: string;
}

const MAX_REPORTED = 50;

type Report = (rule: string, detail: string) => void;

/** Per-frame and per-slot counters of one kernel, reused (zeroed) from call to call, and lane views of its slot arrays. */
interface Scratch {
  /** PTEs mapping each frame. */
  readonly mapped: Int32Array;
  /** Writable PTEs mapping each frame. */
  readonly writable: Int32Array;
  /** Page-table frames reached from a live directory. */
  readonly seenTables: Uint8Array;
  /** PTEs naming each slot. */
  readonly slotRefs: Int32Array;
  readonly slotRefLanes: BigInt64Array;
  /** The frame table's kinds and pins, as lanes. */
  readonly kindLanes: BigInt64Array;
  readonly pinnedLanes: BigInt64Array;
  /** The swap area's and swap cache's arrays these lanes view (rebuilt when the kernel's swap changes). */
  swapViews: SwapLanes | null;
}

/** Lane views of the swap area's counts and retired flags and of the swap cache's slot-to-frame map. */
interface SwapLanes {
  readonly countBytes: Uint8Array;
  readonly countLanes: BigInt64Array;
  readonly badLanes: BigInt64Array;
  readonly frameOfSlot: Int32Array;
  readonly frameOfSlotLanes: BigInt64Array;
  readonly slotOfFrameLanes: BigInt64Array;
}

const scratchOf = new WeakMap<KernelState, Scratch>();

/** `a`'s bytes as whole 64-bit lanes (a view, not a copy; the tail past the last whole lane is left to the caller), none when `a` does not start on an 8-byte boundary. */
function lanesOf(a: Int32Array | Uint8Array): BigInt64Array {
  if (a.byteOffset % 8 !== 0) return new BigInt64Array(0);
  return new BigInt64Array(a.buffer, a.byteOffset, Math.floor(a.byteLength / 8));
}

/** One directory or page table, copied out of simulated memory (words through `tableWords`, lanes through `tableLanes`). */
const tableBytes = new Uint8Array(4096);
const tableWords = new Int32Array(tableBytes.buffer);
const tableLanes = new BigInt64Array(tableBytes.buffer);
/** The directory of the user space being checked, kept while `tableBytes` holds its tables. */
const directoryBytes = new Uint8Array(4096);
const directoryWords = new Int32Array(directoryBytes.buffer);
const directoryLanes = new BigInt64Array(directoryBytes.buffer);
/** The kernel's directory, whose shared slots (768..1022) every user space copies. */
const kernelDirectoryBytes = new Uint8Array(4096);
const kernelDirectoryWords = new Int32Array(kernelDirectoryBytes.buffer);
const kernelDirectoryLanes = new BigInt64Array(kernelDirectoryBytes.buffer);

// Local copies of the constants tested per entry and per frame: an imported
// binding is read through the module namespace, a getter call under vitest's
// and tsx's transforms; these copies cut the checker's time by 3.7x.
const PRESENT = PTE.PRESENT;
const RW = PTE.RW;
const ACCESSED = PTE.ACCESSED;
const PS = PTE.PS;
const ADDRESS = FRAME_MASK;
const COW = KPTE.COW;
const SWAPPED = KPTE.SWAPPED;
const DEMAND = KPTE.DEMAND;
const USER_PD_SLOTS = KERNEL_PD_INDEX;
const SHARED_PD_SLOTS = RECURSIVE_PD_INDEX - KERNEL_PD_INDEX;
/** Shared directory slots compared eight at a time (the rest, up to the recursive slot, one by one). */
const SHARED_PD_GROUPS_END = USER_PD_SLOTS + (SHARED_PD_SLOTS & ~7);
/** A lane (two entries) with each entry's Accessed bit cleared: the MMU sets it in whichever directory it walks. */
const NOT_ACCESSED_LANE = BigInt.asIntN(64, ~((BigInt(ACCESSED) << 32n) | BigInt(ACCESSED)));
const FREE = FrameKind.FREE;
const KERNEL = FrameKind.KERNEL;
const RESERVED = FrameKind.RESERVED;
const USER = FrameKind.USER;
const PAGE_TABLE = FrameKind.PAGE_TABLE;
const PAGE_DIRECTORY = FrameKind.PAGE_DIRECTORY;

/** This kernel's counters, zeroed, with lane views of its current swap arrays. */
function scratch(k: KernelState): Scratch {
  const frames = k.frames.totalFrames;
  const slots = k.swap?.totalSlots ?? 0;
  let s = scratchOf.get(k);
  if (s === undefined || s.mapped.length !== frames || s.slotRefs.length !== slots || s.kindLanes.buffer !== k.frameTable.kind.buffer) {
    // Whole lanes over every slot: the buffer is rounded up to eight slots.
    const slotRefs = new Int32Array(new ArrayBuffer(Math.ceil(slots / 8) * 32), 0, slots);
    s = { mapped: new Int32Array(frames), writable: new Int32Array(frames), seenTables: new Uint8Array(frames), slotRefs, slotRefLanes: new BigInt64Array(slotRefs.buffer), kindLanes: lanesOf(k.frameTable.kind), pinnedLanes: lanesOf(k.frameTable.pinned), swapViews: null };
    scratchOf.set(k, s);
  } else {
    s.mapped.fill(0);
    s.writable.fill(0);
    s.seenTables.fill(0);
    s.slotRefs.fill(0);
  }
  const swap = k.swap;
  if (swap !== null && (s.swapViews === null || s.swapViews.countBytes !== swap.countBytes || s.swapViews.frameOfSlot !== swap.cache.frameOfSlot)) {
    const { countBytes, bad, cache } = swap;
    s.swapViews = { countBytes, countLanes: lanesOf(countBytes), badLanes: lanesOf(bad), frameOfSlot: cache.frameOfSlot, frameOfSlotLanes: lanesOf(cache.frameOfSlot), slotOfFrameLanes: lanesOf(cache.slotOfFrame) };
  }
  return s;
}

/** "space N va 0x..." for a violation's detail (built only when reporting). */
function where(spaceId: number, pdi: number, pti: number): string {
  return `space ${spaceId} va 0x${(((pdi << 22) | (pti << 12)) >>> 0).toString(16)}`;
}

/** Every violation found (at most 50); [] when all invariants hold. */
export function checkInvariants(k: KernelState): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const report: Report = (rule, detail) => {
    if (out.length < MAX_REPORTED) out.push({ rule, detail });
  };
  const frames = k.frames;
  if (frames.countFree() !== frames.freeFrames) report("bitmap", `bitmap has ${frames.countFree()} free frames, free count says ${frames.freeFrames}`);
  checkKernelPaging(k, report);
  const counts = scratch(k);
  let userSpaces = 0;
  for (const space of k.spaces.values()) {
    if (space === k.kernelSpace) continue;
    userSpaces++;
    checkSpace(k, space, counts, report);
  }
  const userFrames = checkFrames(k, counts, report);
  if (userFrames !== k.userResident) report("resident", `userResident ${k.userResident}, user frames ${userFrames}`);
  if (k.policy.size !== userFrames) report("resident", `policy tracks ${k.policy.size} frames, ${userFrames} are user pages`);
  if (hasLists(k.policy)) for (const detail of k.policy.audit()) report("policy", detail);
  if (userFrames > k.userFrameLimit) report("resident", `${userFrames} user pages resident, limit ${k.userFrameLimit}`);

  if (k.swap !== null) {
    checkSlots(k, counts, report);
    checkSwapCache(k, counts, report);
  }
  const cached = k.swap?.cache.size ?? 0;
  if (userSpaces === 0 && (userFrames !== 0 || (k.swap !== null && k.swap.usedSlots !== 0) || cached !== 0)) {
    report("leak", `no user space left, yet ${userFrames} user frames, ${k.swap?.usedSlots ?? 0} slots and ${cached} swap-cache pages in use`);
  }
  return out;
}

/** One user space: its directory, its page tables, every entry; counts mappings into `counts`. */
function checkSpace(k: KernelState, space: AddressSpace, counts: Scratch, report: Report): void {
  const ft = k.frameTable;
  const id = space.id;
  const pdPfn = space.pdPhys / 4096;
  if (ft.kind[pdPfn] !== PAGE_DIRECTORY || ft.ownerSpace[pdPfn] !== id) {
    report("frame", `directory of space ${id} (frame ${pdPfn}) is ${FRAME_KIND_NAMES[ft.kind[pdPfn]]}`);
  }
  k.memory.readFrame(pdPfn, directoryBytes);
  const pdes = directoryWords;
  if ((pdes[RECURSIVE_PD_INDEX] & ~0xfff) >>> 0 !== space.pdPhys) report("pte", `space ${id}: slot 1023 is not recursive`);
  checkKernelHalf(id, report);
  const totals = entryTotals;
  totals.rss = 0;
  totals.swapped = 0;
  for (let pdi = 0; pdi < USER_PD_SLOTS; pdi++) {
    if ((pdi & 7) === 0 && zeroLanes4(directoryLanes, pdi >>> 1)) {
      pdi += 7; // most slots are empty: eight at a time
      continue;
    }
    const pde = pdes[pdi];
    if ((pde & PRESENT) === 0 || (pde & PS) !== 0) continue;
    const ptPfn = (pde & ADDRESS) >>> 12;
    counts.seenTables[ptPfn] = 1;
    if (ft.kind[ptPfn] !== PAGE_TABLE || ft.ownerSpace[ptPfn] !== id || ft.ownerSlot[ptPfn] !== pdi) {
      report("frame", `table of space ${id} slot ${pdi} (frame ${ptPfn}) is not recorded as its page table`);
      continue;
    }
    checkTable(k, id, pdi, ptPfn, counts, report);
  }
  if (totals.rss !== space.rss) report("resident", `space ${id}: rss says ${space.rss}, page tables map ${totals.rss}`);
  if (totals.swapped !== space.swapped) report("resident", `space ${id}: swapped says ${space.swapped}, page tables hold ${totals.swapped} swapped entries`);
}

/** Present (resident) and SWAPPED entries counted by `checkTable` in the space being checked. */
const entryTotals = { rss: 0, swapped: 0 };

/** Every entry of space `id`'s page table in frame `ptPfn` (directory slot `pdi`); counts mappings into `counts`, entries into `entryTotals`. */
function checkTable(k: KernelState, id: number, pdi: number, ptPfn: number, counts: Scratch, report: Report): void {
  const { frames, frameTable: ft } = k;
  const total = frames.totalFrames;
  const { mapped, writable, slotRefs } = counts;
  const slots = slotRefs.length;
  const pt = ptPfn * 4096;
  k.memory.readFrame(ptPfn, tableBytes);
  const words = tableWords;
  let rss = 0;
  let swapped = 0;
  for (let pti = 0; pti < 1024; pti++) {
    if ((pti & 7) === 0 && zeroLanes4(tableLanes, pti >>> 1)) {
      pti += 7; // most entries are zero: eight at a time
      continue;
    }
    const e = words[pti];
    if (e === 0) continue;
    if ((e & COW) !== 0 && (e & RW) !== 0) report("pte", `${where(id, pdi, pti)}: COW entry is writable`);
    if ((e & PRESENT) !== 0) {
      const pfn = e >>> 12;
      if (pfn >= total || ft.kind[pfn] === RESERVED) continue; // device memory (mapPage): neither counted nor owned
      rss++;
      if (!frames.isUsed(pfn)) report("pte", `${where(id, pdi, pti)}: present entry maps free frame ${pfn}`);
      else if (ft.kind[pfn] !== USER) report("pte", `${where(id, pdi, pti)}: maps frame ${pfn} of kind ${FRAME_KIND_NAMES[ft.kind[pfn]]}`);
      else {
        mapped[pfn]++;
        if ((e & RW) !== 0) writable[pfn]++;
        if (!reverseMapHas(ft, pfn, pt + pti * 4)) report("user-refcount", `${where(id, pdi, pti)}: frame ${pfn}'s reverse map lacks this PTE`);
      }
    } else if ((e & SWAPPED) !== 0) {
      swapped++;
      const slot = e >>> 12;
      if (slot >= slots) report("swap-refcount", `${where(id, pdi, pti)}: names slot ${slot} of no swap area`);
      else slotRefs[slot]++;
    } else if ((e & DEMAND) === 0) report("pte", `${where(id, pdi, pti)}: entry 0x${(e >>> 0).toString(16)} in no known state`);
  }
  entryTotals.rss += rss;
  entryTotals.swapped += swapped;
}

/** Are the four lanes (eight entries, slots or frames' words) of `lanes` from `at` zero? One test passes over such a run: most of a scan is empty. */
function zeroLanes4(lanes: BigInt64Array, at: number): boolean {
  return (lanes[at] | lanes[at + 1] | lanes[at + 2] | lanes[at + 3]) === 0n;
}

/** The kernel half of the directory in `directoryWords` is the kernel's (the MMU sets Accessed in whichever directory it walks). */
function checkKernelHalf(id: number, report: Report): void {
  for (let i = USER_PD_SLOTS; i < RECURSIVE_PD_INDEX; i++) {
    if ((i & 7) === 0 && i < SHARED_PD_GROUPS_END && kernelsEight(i >>> 1)) {
      i += 7; // eight slots equal to the kernel's at a time
      continue;
    }
    if (((directoryWords[i] ^ kernelDirectoryWords[i]) & ~ACCESSED) !== 0) report("pte", `space ${id}: directory slot ${i} is not the kernel's`);
  }
}

/** Are the four lanes (eight directory slots) from lane `at` of the user directory the kernel's, Accessed aside? */
function kernelsEight(at: number): boolean {
  const d = directoryLanes;
  const kd = kernelDirectoryLanes;
  return (((d[at] ^ kd[at]) | (d[at + 1] ^ kd[at + 1]) | (d[at + 2] ^ kd[at + 2]) | (d[at + 3] ^ kd[at + 3])) & NOT_ACCESSED_LANE) === 0n;
}

/**
 * The kernel's directory and the tables it names (the RAM alias, the low
 * identity map, the framebuffer) are boot allocations in use: a free frame
 * here would be handed out again while the MMU still walks it. Keeps the
 * directory in `kernelDirectoryWords` for the user spaces' check.
 */
function checkKernelPaging(k: KernelState, report: Report): void {
  const { frames, frameTable: ft } = k;
  const pd = k.kernelSpace.pdPhys;
  checkBootFrame(k, pd >>> 12, "kernel page directory", report);
  k.memory.readFrame(pd >>> 12, kernelDirectoryBytes);
  const pdes = kernelDirectoryWords;
  for (let pdi = 0; pdi < RECURSIVE_PD_INDEX; pdi++) {
    if ((pdi & 7) === 0 && zeroLanes4(kernelDirectoryLanes, pdi >>> 1)) {
      pdi += 7; // empty slots, eight at a time (the last group ends at the recursive slot, never empty)
      continue;
    }
    const pde = pdes[pdi];
    if ((pde & PRESENT) === 0 || (pde & PS) !== 0) continue;
    const ptPfn = (pde & ADDRESS) >>> 12;
    if (ptPfn >= frames.totalFrames || !frames.isUsed(ptPfn) || ft.kind[ptPfn] !== KERNEL || ft.heap[ptPfn] !== 0) {
      checkBootFrame(k, ptPfn, `kernel page table of directory slot ${pdi}`, report);
    }
  }
}

/** Reports `what` (frame `pfn`) unless it is a boot allocation in use. */
function checkBootFrame(k: KernelState, pfn: number, what: string, report: Report): void {
  const { frames, frameTable: ft } = k;
  if (pfn >= frames.totalFrames) report("frame", `${what} (frame ${pfn}) is outside tracked RAM`);
  else if (!frames.isUsed(pfn)) report("frame", `${what} (frame ${pfn}) is free`);
  else if (ft.kind[pfn] !== KERNEL) report("frame", `${what} (frame ${pfn}) is ${FRAME_KIND_NAMES[ft.kind[pfn]]}`);
  else if (ft.heap[pfn] !== 0) report("frame", `${what} (frame ${pfn}) is marked as a kernel-heap page`);
}

/** Does frame `pfn`'s reverse map list the PTE at `pteAddr`? */
function reverseMapHas(ft: FrameTable, pfn: number, pteAddr: number): boolean {
  for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) if (ft.nodePteAddr(node) === pteAddr) return true;
  return false;
}

/** Reverse-map entries of `pfn`. */
function reverseMapLength(ft: FrameTable, pfn: number): number {
  let n = 0;
  for (let node = ft.firstNode(pfn); node !== -1; node = ft.nextNode(node)) n++;
  return n;
}

/** Every frame: bitmap and kind agree, nothing pinned, user pages counted right, tables and directories owned; returns the user frames. */
function checkFrames(k: KernelState, counts: Scratch, report: Report): number {
  const { frames, frameTable: ft } = k;
  const { mapped, writable, seenTables } = counts;
  const groups = Math.min(frames.totalFrames >>> 5, counts.kindLanes.length >>> 2, counts.pinnedLanes.length >>> 2);
  let userFrames = 0;
  for (let pfn = 0; pfn < frames.totalFrames; pfn++) {
    if ((pfn & 31) === 0 && pfn >>> 5 < groups && plainFrames32(frames, counts, pfn >>> 5)) {
      pfn += 31; // runs of free, reserved or kernel frames (most of RAM) break no rule: 32 at a time
      continue;
    }
    const kind = ft.kind[pfn];
    const used = frames.isUsed(pfn);
    if (used !== (kind !== FREE)) {
      report("frame", `frame ${pfn}: bitmap says ${used ? "used" : "free"}, kind is ${FRAME_KIND_NAMES[kind]}`);
      continue;
    }
    if (ft.pinned[pfn] !== 0) report("frame", `frame ${pfn} is still pinned`);
    if (kind === USER) {
      userFrames++;
      const n = mapped[pfn];
      if (n === 0) report("leak", `user frame ${pfn} is mapped by no PTE (refcount ${ft.refcount[pfn]})`);
      else if (ft.refcount[pfn] !== n || reverseMapLength(ft, pfn) !== n) {
        report("user-refcount", `frame ${pfn}: refcount ${ft.refcount[pfn]}, reverse map ${reverseMapLength(ft, pfn)}, PTEs ${n}`);
      }
      if (writable[pfn] > 0 && n > 1) report("sharing", `frame ${pfn} is mapped by ${n} PTEs, ${writable[pfn]} of them writable`);
    } else if (kind === PAGE_TABLE) {
      if (seenTables[pfn] === 0) report("leak", `page table frame ${pfn} (space ${ft.ownerSpace[pfn]}) belongs to no live directory`);
    } else if (kind === PAGE_DIRECTORY) {
      const owner = k.spaces.get(ft.ownerSpace[pfn]);
      if (owner === undefined || owner.pdPhys !== pfn * 4096) report("leak", `directory frame ${pfn} belongs to no live space`);
    }
  }
  return userFrames;
}

/** One kind in all eight bytes of a lane. */
const EVERY_BYTE = 0x0101010101010101n;
const FREE_LANE = BigInt(FREE) * EVERY_BYTE;
const RESERVED_LANE = BigInt(RESERVED) * EVERY_BYTE;
const KERNEL_LANE = BigInt(KERNEL) * EVERY_BYTE;

/** Are the 32 frames of bitmap word `w` all free, all reserved or all kernel, unpinned, and so marked in the bitmap? Such frames break no rule. */
function plainFrames32(frames: KernelState["frames"], counts: Scratch, w: number): boolean {
  const kinds = counts.kindLanes;
  const pinned = counts.pinnedLanes;
  const at = w << 2;
  const kind = kinds[at];
  if (kind !== kinds[at + 1] || kind !== kinds[at + 2] || kind !== kinds[at + 3] || (pinned[at] | pinned[at + 1] | pinned[at + 2] | pinned[at + 3]) !== 0n) return false;
  if (kind === FREE_LANE) return frames.usedWord(w) === 0;
  return (kind === RESERVED_LANE || kind === KERNEL_LANE) && frames.usedWord(w) === -1;
}

/** Each slot's count equals the PTEs naming it; retired slots have neither; the in-use and bad totals agree. */
function checkSlots(k: KernelState, counts: Scratch, report: Report): void {
  const swap = k.swap;
  const views = counts.swapViews;
  if (swap === null || views === null) return;
  const { bad } = swap;
  const { slotRefs, slotRefLanes } = counts;
  const { countLanes, badLanes } = views;
  const groups = Math.min(countLanes.length, badLanes.length);
  let used = 0;
  let retired = 0;
  for (let s = 0; s < slotRefs.length; s++) {
    if ((s & 7) === 0 && s >>> 3 < groups && freeSlots8(countLanes, slotRefLanes, badLanes, s >>> 3)) {
      s += 7; // most slots are free, named by no PTE: eight at a time
      continue;
    }
    const rc = swap.references(s);
    if (bad[s] !== 0) {
      retired++;
      if (rc !== 0 || slotRefs[s] !== 0) report("swap-refcount", `retired slot ${s}: count ${rc}, PTEs naming it ${slotRefs[s]}`);
      continue;
    }
    if (rc !== 0) used++;
    if (rc !== slotRefs[s]) report("swap-refcount", `slot ${s}: count ${rc}, PTEs naming it ${slotRefs[s]}`);
  }
  if (used !== swap.usedSlots) report("swap-refcount", `${used} slots in use, swap area says ${swap.usedSlots}`);
  if (retired !== swap.badSlots) report("swap-refcount", `${retired} slots retired, swap area says ${swap.badSlots}`);
}

/** Are the eight slots of group `g` free (count 0), named by no PTE and not retired? Such slots break no rule. */
function freeSlots8(counts: BigInt64Array, slotRefs: BigInt64Array, bad: BigInt64Array, g: number): boolean {
  const at = g << 2;
  return (counts[g] | slotRefs[at] | slotRefs[at + 1] | slotRefs[at + 2] | slotRefs[at + 3] | bad[g]) === 0n;
}

/** Are the four lanes (eight slots or frames) of `lanes` from `at` all -1 (no association)? */
function unlinkedLanes4(lanes: BigInt64Array, at: number): boolean {
  return (lanes[at] & lanes[at + 1] & lanes[at + 2] & lanes[at + 3]) === -1n;
}

/** The swap cache's two arrays agree, and each association joins a slot in use to a mapped, read-only user frame. */
function checkSwapCache(k: KernelState, counts: Scratch, report: Report): void {
  const swap = k.swap;
  const views = counts.swapViews;
  if (swap === null || views === null) return;
  const { mapped, writable } = counts;
  const { frameOfSlot, slotOfFrame } = swap.cache;
  const ft = k.frameTable;
  let links = 0;
  const slotGroups = views.frameOfSlotLanes.length >>> 2;
  for (let slot = 0; slot < frameOfSlot.length; slot++) {
    if ((slot & 7) === 0 && slot >>> 3 < slotGroups && unlinkedLanes4(views.frameOfSlotLanes, slot >>> 1)) {
      slot += 7; // most slots are not cached (-1, all bits set): eight at a time
      continue;
    }
    const pfn = frameOfSlot[slot];
    if (pfn < 0) continue;
    links++;
    if (pfn >= ft.frames || slotOfFrame[pfn] !== slot) {
      report("swap-cache", `slot ${slot} names frame ${pfn}, which does not name it back`);
      continue;
    }
    if (swap.references(slot) <= 0) report("swap-cache", `slot ${slot} is cached in frame ${pfn} but has count ${swap.references(slot)}`);
    if (ft.kind[pfn] !== USER || mapped[pfn] === 0) report("swap-cache", `slot ${slot} is cached in frame ${pfn}, which is not a mapped user page`);
    if (writable[pfn] !== 0) report("swap-cache", `frame ${pfn} caches slot ${slot} but ${writable[pfn]} PTEs map it writable`);
  }
  const frameGroups = views.slotOfFrameLanes.length >>> 2;
  for (let pfn = 0; pfn < slotOfFrame.length; pfn++) {
    if ((pfn & 7) === 0 && pfn >>> 3 < frameGroups && unlinkedLanes4(views.slotOfFrameLanes, pfn >>> 1)) {
      pfn += 7; // most frames cache no slot: eight at a time
      continue;
    }
    const slot = slotOfFrame[pfn];
    if (slot >= 0 && (slot >= frameOfSlot.length || frameOfSlot[slot] !== pfn)) report("swap-cache", `frame ${pfn} names slot ${slot}, which does not name it back`);
  }
  if (links !== swap.cache.size) report("swap-cache", `${links} slots are cached, the cache counts ${swap.cache.size}`);
}
