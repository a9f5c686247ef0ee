/**
 * The page-fault handler (seed part 6) as a ladder of named cases, each an
 * early return of a FaultOutcome value:
 *
 *   supervisor fault                       -> panic
 *   write to a present COW page            -> private copy (cow.ts)
 *   access a present entry already allows  -> spurious (stale TLB entry):
 *                                             drop it, retry
 *   other access to a present entry        -> segv
 *   not present, PTE DEMAND                -> zero-filled frame
 *   not present, PTE SWAPPED               -> swap in (a major fault; minor
 *                                             when the swap cache has it; a
 *                                             refault when its slot kept a
 *                                             shadow entry)
 *   user access to the kernel half         -> segv
 *   not present in 0xB0000000..0xBFFFFFFF  -> stack grows: zero-filled frame
 *   not present below the heap break       -> lazy heap: zero-filled frame
 *   anything else                          -> segv
 *
 * The resolvers are shared with the copy-out pre-fault (user-memory.ts). A
 * page a process receives is always zero-filled (or its own data from swap),
 * whatever the frame held before.
 */

import { PF, PTE, hex32 } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { breakCow } from "./cow.js";
import { type FaultOutcome, RESOLVED, panic, segv } from "./fault-outcome.js";
import { decisionOf } from "./kernel-events.js";
import { type KernelState, pageKey } from "./kernel-state.js";
import { KERNEL_BASE, USER_HEAP_BASE, USER_STACK_BASE, USER_STACK_TOP } from "./layout.js";
import { allocUserFrame, installUserPage } from "./page-frames.js";
import { NO_PTE, walk, walkCreate } from "./page-tables.js";
import { KEPT_RIGHTS, KPTE, entryFrame, presentEntry } from "./pte.js";
import { noteFault } from "./working-set.js";
import type { WorkingSetHooks } from "./replacement/policy.js";
import { NO_SHADOW } from "./swap-shadows.js";

/** Handles #PF with `errorCode` at linear address `cr2` in the current space. */
export function handlePageFault(k: KernelState, errorCode: number, cr2: number): FaultOutcome {
  const va = cr2 >>> 0;
  k.stat.pgfault++;
  if ((errorCode & PF.USER) === 0) {
    return panic(`supervisor page fault at ${hex32(va)} (error ${describeError(errorCode)})`);
  }
  const space = k.current;
  if (space === k.kernelSpace) return countedSegv(k, `user fault at ${hex32(va)} with no user address space active`);
  noteFault(k, space);
  const before = k.events === null ? 0 : entryAt(k, space, va);
  const outcome = resolveUserFault(k, space, errorCode, va);
  if (outcome.kind === "segv") k.faults.segv++;
  if (k.events !== null) tellFault(k, space, errorCode, va, before, outcome);
  return outcome;
}

/** The PTE of `va` in `space`, 0 when it has no page table (for the event log only). */
function entryAt(k: KernelState, space: AddressSpace, va: number): number {
  const pteAddr = walk(k.memory, space.pdPhys, va);
  return pteAddr === NO_PTE ? 0 : k.memory.read32(pteAddr) >>> 0;
}

/** Tells the event sink what the ladder decided for this fault. */
function tellFault(k: KernelState, space: AddressSpace, errorCode: number, va: number, before: number, outcome: FaultOutcome): void {
  k.events?.event({
    type: "fault",
    spaceId: space.id,
    va,
    errorCode,
    entryBefore: before,
    entryAfter: entryAt(k, space, va),
    decision: decisionOf(outcome),
    reason: outcome.kind === "resolved" ? "" : outcome.reason,
  });
}

function countedSegv(k: KernelState, reason: string): FaultOutcome {
  k.faults.segv++;
  return segv(reason);
}

function resolveUserFault(k: KernelState, space: AddressSpace, errorCode: number, va: number): FaultOutcome {
  const pteAddr = walk(k.memory, space.pdPhys, va);
  const entry = pteAddr === NO_PTE ? 0 : k.memory.read32(pteAddr);
  const page = (va & ~0xfff) >>> 0;
  if ((errorCode & PF.RSVD) !== 0) return segv(`reserved bit set in a paging entry for ${hex32(va)}`);
  if ((entry & PTE.PRESENT) !== 0) return resolvePresent(k, space, pteAddr, entry, errorCode, va);
  if ((errorCode & PF.PRESENT) === 0) {
    if ((entry & KPTE.DEMAND) !== 0) return resolveDemandZero(k, space, pteAddr, entry, page);
    if ((entry & KPTE.SWAPPED) !== 0) return resolveSwapIn(k, space, pteAddr, entry, page);
  }
  if (va >= KERNEL_BASE) return segv(`user access to kernel address ${hex32(va)}`);
  if ((errorCode & PF.PRESENT) !== 0) return protectionFault(errorCode, va);
  if (entry === 0 && va >= USER_STACK_BASE && va < USER_STACK_TOP) return resolveStack(k, space, page);
  if (entry === 0 && va >= USER_HEAP_BASE && va < space.heapBreak) return resolveHeap(k, space, page);
  return segv(`access to unmapped address ${hex32(va)}`);
}

/**
 * The entry is present, whatever the error code says (a not-present fault
 * whose page has come in since is decided on the entry as it is now): a
 * write to a COW page breaks COW; an access the entry and its directory
 * entry already allow is spurious; anything else is refused.
 */
function resolvePresent(k: KernelState, space: AddressSpace, pteAddr: number, entry: number, errorCode: number, va: number): FaultOutcome {
  const write = (errorCode & PF.WRITE) !== 0;
  const page = (va & ~0xfff) >>> 0;
  if (write && (entry & KPTE.COW) !== 0) return breakCow(k, space, pteAddr, entry, page);
  const rights = k.memory.read32(space.pdPhys + ((va >>> 22) << 2)) & entry;
  if ((rights & PTE.USER) !== 0 && (!write || (rights & PTE.RW) !== 0)) return spurious(k, page);
  if (va >= KERNEL_BASE) return segv(`user access to kernel address ${hex32(va)}`);
  return protectionFault(errorCode, va);
}

/**
 * The tables already allow the access: the CPU faulted on a TLB entry
 * cached before they were made more permissive (SDM 4.10.4.3, a rights
 * upgrade without INVLPG), as Linux's spurious fault handling expects.
 * Drop the entry and let the access retry.
 */
function spurious(k: KernelState, page: number): FaultOutcome {
  k.tlb.invalidatePage(page);
  k.vmm386.spurious_fault++;
  return RESOLVED.SPURIOUS;
}

function protectionFault(errorCode: number, va: number): FaultOutcome {
  return segv(`${(errorCode & PF.WRITE) !== 0 ? "write to read-only" : "protection fault on"} page at ${hex32(va)}`);
}

/** DEMAND entry: a zero-filled frame with the entry's rights. */
export function resolveDemandZero(k: KernelState, space: AddressSpace, pteAddr: number, entry: number, page: number): FaultOutcome {
  const pfn = allocUserFrame(k, pageKey(space.id, page));
  if (pfn < 0) return outOfMemory(page);
  k.memory.zeroFrame(pfn);
  installUserPage(k, space, pteAddr, page, pfn, entry & (PTE.USER | PTE.RW));
  k.faults.demandZero++;
  return RESOLVED.DEMAND_ZERO;
}

/**
 * SWAPPED entry: map the slot's page, drop one slot reference. A page in the
 * swap cache is mapped as it is, with no read (a minor fault); otherwise it
 * is read into a fresh frame, which stays in the swap cache while other PTEs
 * still name the slot.
 */
export function resolveSwapIn(k: KernelState, space: AddressSpace, pteAddr: number, entry: number, page: number): FaultOutcome {
  const swap = k.swap;
  const slot = entryFrame(entry);
  if (swap === null || slot >= swap.totalSlots) return segv(`swapped entry names slot ${slot} of no swap area at ${hex32(page)}`);
  const cached = swap.cache.frameOf(slot);
  if (cached >= 0) return mapSwapCachePage(k, space, pteAddr, entry, slot, cached);
  const pfn = allocUserFrame(k, pageKey(space.id, page));
  if (pfn < 0) return outOfMemory(page);
  if (!swap.readPage(slot, k.memory, pfn)) {
    k.releaseFrame(pfn);
    k.vmm386.swpin_failed++;
    return segv(`swap-in of ${hex32(page)} from slot ${slot} failed: read error on ${swap.device.name}`);
  }
  noteRefault(k, slot, pfn);
  k.psi.chargeRead(space);
  swap.dropReference(slot);
  const shared = swap.references(slot) > 0;
  installUserPage(k, space, pteAddr, page, pfn, swappedInRights(entry, shared));
  space.swapped--;
  if (shared) swap.cache.link(slot, pfn);
  k.stat.pswpin++;
  k.stat.pgmajfault++;
  k.faults.swapIn++;
  return RESOLVED.SWAP_IN;
}

/** The page read from `slot` into `pfn` is a refault if the slot kept a shadow: the policy hears of it before the insert. */
function noteRefault(k: KernelState, slot: number, pfn: number): void {
  if (k.shadows === null) return;
  const shadow = k.shadows.take(slot);
  if (shadow !== NO_SHADOW) (k.policy.workingSet as WorkingSetHooks).refault(pfn, shadow);
}

/** Swap-cache hit: maps frame `pfn`, which holds `slot`'s page, at `pteAddr` as one more sharer. */
function mapSwapCachePage(k: KernelState, space: AddressSpace, pteAddr: number, entry: number, slot: number, pfn: number): FaultOutcome {
  k.memory.write32(pteAddr, presentEntry(pfn, swappedInRights(entry, true)));
  k.frameTable.addMapping(pfn, pteAddr);
  space.rss++;
  space.swapped--;
  k.swap?.dropReference(slot); // the last name of the slot frees it, and the association with it
  k.vmm386.swapcache_hit++;
  k.faults.swapIn++;
  return RESOLVED.SWAP_IN;
}

/**
 * Rights of a swapped-in page: those its entry kept (U/S, R/W, COW), except
 * that a page shared through the swap cache is never writable in place: a
 * writable entry (fork copied a swapped private page) becomes COW, as a
 * forked present page would.
 */
function swappedInRights(entry: number, shared: boolean): number {
  const rights = entry & KEPT_RIGHTS;
  return shared && (rights & PTE.RW) !== 0 ? (rights & ~PTE.RW) | KPTE.COW : rights;
}

/** Stack growth anywhere in USER_STACK_BASE..USER_STACK_TOP (never below). */
export function resolveStack(k: KernelState, space: AddressSpace, page: number): FaultOutcome {
  const outcome = mapZeroPage(k, space, page);
  if (outcome !== null) return outcome;
  if (page < space.stackBottom) space.stackBottom = page;
  k.faults.stack++;
  return RESOLVED.STACK;
}

/** A heap page below the break with no entry yet. */
export function resolveHeap(k: KernelState, space: AddressSpace, page: number): FaultOutcome {
  const outcome = mapZeroPage(k, space, page);
  if (outcome !== null) return outcome;
  k.faults.heap++;
  return RESOLVED.HEAP;
}

/** Maps a zero-filled user page at `page`; null on success, the segv otherwise. */
function mapZeroPage(k: KernelState, space: AddressSpace, page: number): FaultOutcome | null {
  const pteAddr = walkCreate(k, space, page);
  if (pteAddr === NO_PTE) return outOfMemory(page);
  const pfn = allocUserFrame(k, pageKey(space.id, page));
  if (pfn < 0) return outOfMemory(page);
  k.memory.zeroFrame(pfn);
  installUserPage(k, space, pteAddr, page, pfn, PTE.USER | PTE.RW);
  return null;
}

function outOfMemory(page: number): FaultOutcome {
  return segv(`out of memory: no frame for ${hex32(page)} (RAM full and nothing evictable)`);
}

function describeError(code: number): string {
  const parts = [(code & PF.PRESENT) !== 0 ? "protection" : "not-present", (code & PF.WRITE) !== 0 ? "write" : "read"];
  parts.push((code & PF.USER) !== 0 ? "user" : "supervisor");
  if ((code & PF.RSVD) !== 0) parts.push("reserved-bit");
  if ((code & PF.INSTRUCTION) !== 0) parts.push("fetch");
  return `${hex32(code)}: ${parts.join(" ")}`;
}
