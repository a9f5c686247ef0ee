/**
 * User memory calls (seed parts 7 and 12): brk, mmap, munmap, and the
 * copy-out pre-fault.
 *
 * Fixed here: mmap checks that the range fits the shared region (no
 * overflow) and overlaps nothing already mapped (defect 8), rather than
 * overwriting live entries and leaking their frames; the pre-fault breaks
 * COW on a present read-only COW page instead of refusing it (defect 7).
 * Also, brk never overwrites the page that holds the old break (the seed
 * reset it to demand-zero, losing its data) and a shrink keeps the page that
 * holds the new break.
 */

import { PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import { breakCow } from "./cow.js";
import type { KernelState } from "./kernel-state.js";
import {
  KERNEL_BASE,
  USER_CODE_BASE,
  USER_CODE_END,
  USER_HEAP_BASE,
  USER_HEAP_END,
  USER_SHARED_BASE,
  USER_SHARED_END,
  USER_STACK_BASE,
  USER_STACK_TOP,
} from "./layout.js";
import { releaseEntry } from "./page-frames.js";
import { resolveDemandZero, resolveHeap, resolveStack, resolveSwapIn } from "./page-fault.js";
import { NO_PTE, walk, walkCreate } from "./page-tables.js";
import { KPTE, demandEntry } from "./pte.js";

const PAGE = 4096;

/** Protection bits of mmap (PROT_WRITE is the PTE's R/W bit, as in the seed's flags). */
export const PROT = { READ: 1, WRITE: PTE.RW } as const;

function alignUp(a: number): number {
  return Math.ceil(a / PAGE) * PAGE;
}

/** Sets the break of `space`: growth adds demand-zero pages, shrinking unmaps whole pages above it. */
export function brk(k: KernelState, space: AddressSpace, newBreak: number): boolean {
  if (!Number.isInteger(newBreak) || newBreak < USER_HEAP_BASE || newBreak >= USER_HEAP_END) return false;
  const oldTop = alignUp(space.heapBreak);
  const newTop = alignUp(newBreak);
  if (newTop > oldTop && !markDemand(k, space, oldTop, newTop, PTE.USER | PTE.RW, false)) return false;
  if (newTop < oldTop) unmapRange(k, space, newTop, oldTop);
  space.heapBreak = newBreak;
  return true;
}

/**
 * Maps [va, va+size) of the shared region demand-zero (fixed address, as the
 * seed); `prot` is PROT.READ and/or PROT.WRITE. False, changing nothing, when
 * the range leaves the shared region, wraps, or overlaps a mapped page.
 */
export function mmap(k: KernelState, space: AddressSpace, va: number, size: number, prot: number): boolean {
  return mapFixed(k, space, va, size, prot, USER_SHARED_BASE, USER_SHARED_END);
}

/**
 * Maps [va, va+size) of the code/data region demand-zero, as a program
 * loader lays out an image's segments before the program runs (the seed
 * leaves loading to its ELF loader; trace replay and scenarios need it to
 * place a program's text and data at USER_CODE_BASE). Same rules as mmap.
 */
export function mapImage(k: KernelState, space: AddressSpace, va: number, size: number, prot: number): boolean {
  return mapFixed(k, space, va, size, prot, USER_CODE_BASE, USER_CODE_END);
}

/** Demand-zero mapping of [va, va+size) inside [regionStart, regionEnd); nothing changes unless all of it is free. */
function mapFixed(
  k: KernelState,
  space: AddressSpace,
  va: number,
  size: number,
  prot: number,
  regionStart: number,
  regionEnd: number,
): boolean {
  if (!Number.isInteger(va) || !Number.isInteger(size) || size <= 0) return false;
  const start = va - (va % PAGE);
  const end = alignUp(va + size);
  if (start < regionStart || end > regionEnd) return false;
  for (let page = start; page < end; page += PAGE) {
    const pteAddr = walk(k.memory, space.pdPhys, page);
    if (pteAddr !== NO_PTE && k.memory.read32(pteAddr) !== 0) return false;
  }
  return markDemand(k, space, start, end, PTE.USER | (prot & PTE.RW), true);
}

/** Unmaps every page of [va, va+size) in the user half (present, swapped or demand-zero). */
export function munmap(k: KernelState, space: AddressSpace, va: number, size: number): boolean {
  if (!Number.isInteger(va) || !Number.isInteger(size) || size <= 0 || va < 0) return false;
  const end = alignUp(va + size);
  if (end > KERNEL_BASE) return false;
  unmapRange(k, space, va - (va % PAGE), end);
  return true;
}

/** Writes DEMAND entries over the empty pages of [start, end); rolls back and fails when out of memory. */
function markDemand(k: KernelState, space: AddressSpace, start: number, end: number, rights: number, mustBeEmpty: boolean): boolean {
  for (let page = start; page < end; page += PAGE) {
    const pteAddr = walkCreate(k, space, page);
    if (pteAddr === NO_PTE) {
      unmapRange(k, space, start, page);
      return false;
    }
    if (mustBeEmpty || k.memory.read32(pteAddr) === 0) k.memory.write32(pteAddr, demandEntry(rights));
  }
  return true;
}

/** Tears down every entry of [start, end) (seed's vmm_unmap_page on each page). */
export function unmapRange(k: KernelState, space: AddressSpace, start: number, end: number): void {
  k.tlb.deferBegin();
  for (let page = start; page < end; page += PAGE) {
    const pteAddr = walk(k.memory, space.pdPhys, page);
    if (pteAddr === NO_PTE) {
      page = Math.floor(page / 0x400000) * 0x400000 + 0x400000 - PAGE; // no table: skip the rest of its 4 MiB
      continue;
    }
    const entry = k.memory.read32(pteAddr);
    if (entry !== 0) releaseEntry(k, space, pteAddr, entry);
  }
  k.tlb.deferEnd();
}

/**
 * Copy-out pre-fault (seed's vmm_fault_in_user_write): makes every page of
 * [va, va+len) of the current space present, user and writable, as the
 * fault handler would (demand-zero, swap-in, stack, heap) and breaking COW.
 * False for kernel or unmapped addresses and read-only pages. Pages are
 * resolved in order; a later page's allocation may evict an earlier one, so
 * callers copy page by page when the range may exceed what fits in memory.
 */
export function faultInUserWrite(k: KernelState, va: number, len: number): boolean {
  if (len === 0) return true;
  if (!Number.isInteger(va) || !Number.isInteger(len) || len < 0) return false;
  if (va < USER_CODE_BASE || va + len > USER_STACK_TOP) return false;
  const space = k.current;
  if (space === k.kernelSpace) return false;
  for (let page = va - (va % PAGE); page < va + len; page += PAGE) {
    if (!faultInPage(k, space, page)) return false;
  }
  return true;
}

/** Makes one page writable for the kernel's copy-out; false when the user may not write it. */
export function faultInPage(k: KernelState, space: AddressSpace, page: number): boolean {
  const pteAddr = walk(k.memory, space.pdPhys, page);
  const entry = pteAddr === NO_PTE ? 0 : k.memory.read32(pteAddr);
  if ((entry & PTE.PRESENT) !== 0) {
    if ((entry & PTE.USER) === 0) return false;
    if ((entry & PTE.RW) !== 0) return true;
    if ((entry & KPTE.COW) === 0) return false;
    k.stat.pgfault++;
    return breakCow(k, space, pteAddr, entry, page).kind === "resolved";
  }
  if ((entry & KPTE.DEMAND) !== 0) {
    if ((entry & PTE.RW) === 0) return false;
    k.stat.pgfault++;
    return resolveDemandZero(k, space, pteAddr, entry, page).kind === "resolved";
  }
  if ((entry & KPTE.SWAPPED) !== 0) {
    if ((entry & (PTE.RW | KPTE.COW)) === 0) return false;
    k.stat.pgfault++;
    if (resolveSwapIn(k, space, pteAddr, entry, page).kind !== "resolved") return false;
    return faultInPage(k, space, page); // a swapped-in COW page still needs its private copy
  }
  if (entry !== 0) return false;
  if (page >= USER_STACK_BASE && page < USER_STACK_TOP) {
    k.stat.pgfault++;
    return resolveStack(k, space, page).kind === "resolved";
  }
  if (page >= USER_HEAP_BASE && page < space.heapBreak) {
    k.stat.pgfault++;
    return resolveHeap(k, space, page).kind === "resolved";
  }
  return false;
}
