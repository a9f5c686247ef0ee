/**
 * Bad swap slots: a slot whose write failed is retired for good (the mark
 * Linux's swap map gives bad pages). It is neither free nor in use, is
 * never allocated again, and is counted in `vmm.swap.badSlots` (and vmm386
 * `swap_bad_slots`); the victim whose write failed stays resident with its
 * data, and the next write goes elsewhere. Before this, the failed slot
 * went back to the free pool with the allocation hint pointing at it, so
 * one permanently bad slot took every later victim and processes died
 * "out of memory" with swap all but empty.
 */

import { describe, expect, it } from "vitest";
import { SWAP_FIRST_LBA } from "../../src/machine/disk-image.js";
import { ACCESS, PTE } from "../../src/machine/i386.js";
import { KPTE } from "../../src/kernel/pte.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import type { AddressSpace } from "../../src/kernel/vmm.js";
import { type TestSystem, bootTestSystem, expectHealthy, failingAccess, read32, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;
const PAGES = 48;
const WORDS = [0, 1, 511, 1023]; // first, second, middle and last word of each page

function spawn(sys: TestSystem, heapPages: number): AddressSpace {
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  expect(sys.vmm.brk(as, HEAP + heapPages * 4096)).toBe(true);
  return as;
}

const value = (page: number, word: number, round: number): number => ((round << 24) | (page << 12) | word) >>> 0;

/** Writes round `round`'s pattern into every page (eviction on nearly every page with 8 resident). */
function writeAll(sys: TestSystem, round: number): void {
  for (let p = 0; p < PAGES; p++) for (const w of WORDS) write32(sys, HEAP + p * 4096 + w * 4, value(p, w, round));
}

/** Every word of round `round`'s pattern reads back. */
function expectAll(sys: TestSystem, round: number): void {
  for (let p = 0; p < PAGES; p++) for (const w of WORDS) expect(read32(sys, HEAP + p * 4096 + w * 4) >>> 0).toBe(value(p, w, round));
}

/** Slots named by the space's SWAPPED entries. */
function slotsInUse(sys: TestSystem, as: AddressSpace): Set<number> {
  const slots = new Set<number>();
  for (let p = 0; p < PAGES; p++) {
    const e = sys.vmm.entryOf(as, HEAP + p * 4096);
    if ((e & PTE.PRESENT) === 0 && (e & KPTE.SWAPPED) !== 0) slots.add(e >>> 12);
  }
  return slots;
}

describe("a swap slot whose write failed is retired", () => {
  it("with slots 0, 1 and 5 permanently bad, a workload that needs eviction completes with every byte right", () => {
    const sys = bootTestSystem({ userFrameLimit: 8 });
    const bad = [0, 1, 5];
    for (const slot of bad) sys.disk!.failWritesTo(SWAP_FIRST_LBA + 8 * slot, 8);
    const as = spawn(sys, PAGES);
    for (let round = 1; round <= 3; round++) {
      writeAll(sys, round);
      expectAll(sys, round);
    }
    const swap = sys.vmm.swap!;
    expect(swap.badSlots).toBe(3);
    expect(sys.disk!.failedWrites).toBe(3); // each bad slot was tried once, then never again
    expect(swap.errors.writes).toBe(3);
    expect(sys.vmm.vmm386).toMatchObject({ evict_failed: 3, swap_bad_slots: 3 });
    expect(sys.vmm.stat.pswpout).toBeGreaterThan(PAGES * 2);
    const used = slotsInUse(sys, as);
    expect(used.size).toBe(PAGES - 8);
    for (const slot of bad) expect(used.has(slot)).toBe(false);
    expect(sys.vmm.meminfo()).toMatchObject({
      SwapTotal: (swap.totalSlots - 3) * 4,
      SwapFree: (swap.totalSlots - 3 - swap.usedSlots) * 4,
    });
    expectHealthy(sys);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, badSlots: 3 });
    expectHealthy(sys);
  });

  it("a transient failure (the slot would work next time) still retires it and loses nothing", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const as = spawn(sys, 1);
    for (let off = 0; off < 4096; off += 4) write32(sys, HEAP + off, off ^ 0x5a5a);
    const lba = SWAP_FIRST_LBA; // slot 0, the first one allocated
    sys.disk!.failWritesTo(lba, 8, { times: 1 });
    expect(sys.vmm.reclaim(1)).toBe(0);
    expect(sys.vmm.isPagePresent(as, HEAP)).toBe(true);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, badSlots: 1 });
    expect(sys.vmm.reclaim(1)).toBe(1); // written to slot 1; slot 0 is never offered again
    expect(sys.vmm.entryOf(as, HEAP) >>> 12).toBe(1);
    for (let off = 0; off < 4096; off += 4) expect(read32(sys, HEAP + off)).toBe(off ^ 0x5a5a);
    expectHealthy(sys);
  });

  it("a torn write retires its slot; the page, resident, keeps every byte", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const as = spawn(sys, 2);
    for (let off = 0; off < 8192; off += 4) write32(sys, HEAP + off, off + 1);
    sys.disk!.failNthWrite(1, { torn: true });
    expect(sys.vmm.reclaim(1)).toBe(1); // the first victim's write tore; the second victim went instead
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 1, badSlots: 1 });
    expect(sys.vmm.reclaim(1)).toBe(1); // and now the first, to a good slot
    expect(sys.vmm.residentUserPages).toBe(0);
    for (let off = 0; off < 8192; off += 4) expect(read32(sys, HEAP + off)).toBe(off + 1);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, badSlots: 1 });
    expectHealthy(sys);
  });

  it("when every slot has gone bad, eviction stops at once and the process gets out-of-memory, nothing lost", () => {
    const sys = bootTestSystem({ userFrameLimit: 4, swapBytes: 4 * 4096 });
    const as = spawn(sys, 8);
    for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, i + 10);
    sys.disk!.failAllWrites();
    expect(sys.vmm.reclaim(4)).toBe(0);
    expect(sys.vmm.swap).toMatchObject({ totalSlots: 4, usedSlots: 0, badSlots: 4 });
    const writesBefore = sys.disk!.writes;
    expect(sys.vmm.reclaim(1)).toBe(0);
    expect(sys.disk!.writes).toBe(writesBefore); // no slot left to try: no write attempted
    const outcome = failingAccess(sys, HEAP + 5 * 4096, ACCESS.USER_WRITE);
    expect(outcome).toMatchObject({ kind: "segv" });
    expect(outcome.reason).toMatch(/out of memory/);
    sys.disk!.heal();
    for (let i = 0; i < 4; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i + 10);
    sys.vmm.destroyAddressSpace(as);
    expectHealthy(sys);
  });
});
