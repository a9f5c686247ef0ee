/**
 * Working set and thrashing (seed part 11, fixing defect 9).
 *
 * Sampling: once per window, count each space's present user pages with
 * Accessed set and clear the bit (the seed's vmm_update_working_set). So that
 * the replacement policy does not lose those references, each sampled frame
 * is marked soft-referenced, which `testAndClearReferenced` consumes.
 *
 * Thrashing: more than THRASH_THRESHOLD faults within one window of
 * FAULT_WINDOW_TICKS ticks (the seed's >50 per 100 ticks, ~1 s at 100 Hz).
 * The seed counted faults forever and reset only when it throttled; here
 * the count belongs to a window and expires with it.
 */

import { PTE } from "../machine/i386.js";
import type { AddressSpace } from "./address-space-record.js";
import type { KernelState } from "./kernel-state.js";
import { KERNEL_PD_INDEX } from "./layout.js";
import { NO_PTE, tableOf } from "./page-tables.js";

export const FAULT_WINDOW_TICKS = 100;
export const THRASH_THRESHOLD = 50;

/** Counts a fault of `space` in its current window (a new window starts when the old one is over). */
export function noteFault(k: KernelState, space: AddressSpace): void {
  if (k.now - space.windowStart >= FAULT_WINDOW_TICKS) {
    space.windowStart = k.now;
    space.faultCount = 0;
  }
  space.faultCount++;
  space.totalFaults++;
  space.lastFaultTick = k.now;
}

/** True while `space` has faulted more than THRASH_THRESHOLD times in its current window. */
export function shouldThrottle(k: KernelState, space: AddressSpace): boolean {
  if (k.now - space.windowStart >= FAULT_WINDOW_TICKS) return false;
  return space.faultCount > THRASH_THRESHOLD;
}

/** Timer tick: advances time; at each window boundary samples every space's working set. */
export function tick(k: KernelState, now: number, lastSample: number): number {
  k.now = now;
  if (now - lastSample < FAULT_WINDOW_TICKS) return lastSample;
  k.tlb.deferBegin();
  for (const space of k.spaces.values()) if (space !== k.kernelSpace) sampleWorkingSet(k, space);
  k.tlb.deferEnd();
  return now;
}

/** The seed's vmm_update_working_set, for one space between ticks: samples it as a window's end does. */
export function updateWorkingSet(k: KernelState, space: AddressSpace): number {
  k.tlb.deferBegin();
  const count = sampleWorkingSet(k, space);
  k.tlb.deferEnd();
  return count;
}

/** Counts and clears the Accessed bits of `space`'s present user pages; returns the count. */
export function sampleWorkingSet(k: KernelState, space: AddressSpace): number {
  const mem = k.memory;
  const ft = k.frameTable;
  const active = space === k.current;
  let count = 0;
  for (let pdi = 0; pdi < KERNEL_PD_INDEX; pdi++) {
    const pt = tableOf(mem, space, pdi);
    if (pt === NO_PTE) continue;
    for (let pti = 0; pti < 1024; pti++) {
      const pteAddr = pt + pti * 4;
      const entry = mem.read32(pteAddr);
      if ((entry & (PTE.PRESENT | PTE.ACCESSED)) !== (PTE.PRESENT | PTE.ACCESSED)) continue;
      mem.write32(pteAddr, entry & ~PTE.ACCESSED);
      ft.softReferenced[entry >>> 12] = 1;
      if (active) k.tlb.invalidatePage(((pdi << 22) | (pti << 12)) >>> 0);
      count++;
    }
  }
  space.wsPages = count;
  space.wsSamples++;
  if (count > space.wsPeak) space.wsPeak = count;
  return count;
}
