/**
 * Swap on the disk image: real bytes out and back, and failures that lose
 * nothing — a failed write leaves the page resident and the next victim is
 * tried; a failed read kills only the owner; no frame or slot leaks.
 */

import { describe, expect, it } from "vitest";
import { SWAP_FIRST_LBA } from "../../src/machine/disk-image.js";
import { KPTE } from "../../src/kernel/pte.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { type TestSystem, bootTestSystem, expectHealthy, failingAccess, read32, spawnWithHeap, write32 } from "./helpers.js";
import { ACCESS, PTE } from "../../src/machine/i386.js";

const HEAP = USER_HEAP_BASE;

const spawn = spawnWithHeap;

describe("swap out and in", () => {
  it("writes the page's bytes to slot N at partition LBA + 8N and reads them back", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const as = spawn(sys, 1);
    for (let off = 0; off < 4096; off += 4) write32(sys, HEAP + off, off * 7 + 1);
    expect(sys.vmm.reclaim(1)).toBe(1);
    const slot = sys.vmm.entryOf(as, HEAP) >>> 12;
    const sectors = new Uint8Array(4096);
    sys.disk!.read(SWAP_FIRST_LBA + 8 * slot, 8, sectors);
    expect(new DataView(sectors.buffer).getUint32(400, true)).toBe(400 * 7 + 1);
    for (let off = 0; off < 4096; off += 4) expect(read32(sys, HEAP + off)).toBe(off * 7 + 1);
    expect(sys.vmm.stat).toMatchObject({ pswpout: 1, pswpin: 1, pgmajfault: 1 });
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    expectHealthy(sys);
  });

  it("keeps resident user pages at or under the user-frame limit", () => {
    const sys = bootTestSystem({ userFrameLimit: 10 });
    spawn(sys, 50);
    for (let i = 0; i < 50; i++) {
      write32(sys, HEAP + i * 4096, i);
      expect(sys.vmm.residentUserPages).toBeLessThanOrEqual(10);
    }
    for (let i = 0; i < 50; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i);
    expect(sys.vmm.stat.pgmajfault).toBeGreaterThanOrEqual(40);
  });
});

describe("swap failures lose nothing", () => {
  it("a failed write leaves the victim resident and the next victim goes instead", () => {
    const sys = bootTestSystem({ userFrameLimit: 8 });
    spawn(sys, 20);
    for (let i = 0; i < 8; i++) write32(sys, HEAP + i * 4096, 0x100 + i);
    sys.disk!.failNthWrite(1);
    for (let i = 8; i < 20; i++) write32(sys, HEAP + i * 4096, 0x100 + i);
    expect(sys.vmm.vmm386.evict_failed).toBe(1);
    expect(sys.vmm.swap!.errors.writes).toBe(1);
    for (let i = 0; i < 20; i++) expect(read32(sys, HEAP + i * 4096)).toBe(0x100 + i);
    expectHealthy(sys);
  });

  it("a torn write is never trusted: the page stays resident with its data", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const as = spawn(sys, 1);
    write32(sys, HEAP, 42);
    sys.disk!.failAllWrites({ torn: true });
    expect(sys.vmm.reclaim(1)).toBe(0);
    expect(sys.vmm.isPagePresent(as, HEAP)).toBe(true);
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    sys.disk!.heal();
    expect(read32(sys, HEAP)).toBe(42);
    expectHealthy(sys);
  });

  it("with every write failing, the faulting process gets a clear out-of-memory segv and nothing leaks", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const as = spawn(sys, 8);
    for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, i);
    sys.disk!.failAllWrites();
    const outcome = failingAccess(sys, HEAP + 5 * 4096, ACCESS.USER_WRITE);
    expect(outcome).toMatchObject({ kind: "segv" });
    expect(outcome.reason).toMatch(/out of memory/);
    for (let i = 0; i < 4; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    expectHealthy(sys);
  });

  it("a failed swap-in kills only the owner, with the reason, and its slot is freed at exit", () => {
    const sys = bootTestSystem({ userFrameLimit: 4 });
    const victim = spawn(sys, 1);
    write32(sys, HEAP, 1);
    const bystander = spawn(sys, 1);
    write32(sys, HEAP, 2);
    sys.vmm.reclaim(10);
    const slot = sys.vmm.entryOf(victim, HEAP) >>> 12;
    sys.disk!.failReadsTo(SWAP_FIRST_LBA + 8 * slot, 8);
    sys.vmm.switchAddressSpace(victim);
    const outcome = failingAccess(sys, HEAP, ACCESS.USER_READ);
    expect(outcome).toMatchObject({ kind: "segv" });
    expect(outcome.reason).toMatch(/swap-in .* slot \d+ failed: read error/);
    expect(sys.vmm.entryOf(victim, HEAP) & KPTE.SWAPPED).toBe(KPTE.SWAPPED);
    sys.vmm.destroyAddressSpace(victim);
    sys.vmm.switchAddressSpace(bystander);
    expect(read32(sys, HEAP)).toBe(2);
    sys.vmm.destroyAddressSpace(bystander);
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    expectHealthy(sys);
  });

  it("a full swap area makes eviction impossible, and exit gives every slot back", () => {
    const sys = bootTestSystem({ userFrameLimit: 4, swapBytes: 8 * 4096 });
    const as = spawn(sys, 20);
    let written = 0;
    for (let i = 0; i < 20; i++) {
      const r = failingOrWrite(sys, HEAP + i * 4096, i);
      if (!r) break;
      written++;
    }
    expect(written).toBe(12); // 4 resident + 8 slots
    // Swap-in needs a frame before it frees its slot: make room by unmapping the resident pages.
    const resident = [...Array(written).keys()].filter((i) => sys.vmm.isPagePresent(as, HEAP + i * 4096));
    expect(resident.length).toBe(4);
    for (const i of resident) expect(sys.vmm.munmap(as, HEAP + i * 4096, 4096)).toBe(true);
    for (let i = 0; i < written; i++) if (!resident.includes(i)) expect(read32(sys, HEAP + i * 4096)).toBe(i);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    expectHealthy(sys);
  });

  it("without swap, a full RAM gives a segv, never a lost page", () => {
    const sys = bootTestSystem({ userFrameLimit: 5, swapBytes: null });
    spawn(sys, 10);
    for (let i = 0; i < 5; i++) write32(sys, HEAP + i * 4096, i);
    expect(failingAccess(sys, HEAP + 5 * 4096, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    for (let i = 0; i < 5; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i);
  });
});

function failingOrWrite(sys: TestSystem, va: number, value: number): boolean {
  try {
    write32(sys, va, value);
    return true;
  } catch {
    return false;
  }
}


describe("swapOutPage (the seed's swap_out_page for a given page)", () => {
  it("swaps out the page asked for, whatever the policy: its frame is freed, the slot returned holds it, and it comes back", () => {
    const sys = bootTestSystem();
    const as = spawn(sys, 4);
    for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, 0x5a000000 + i);
    const free = sys.vmm.freeFrames;
    const slot = sys.vmm.swapOutPage(as, HEAP + 2 * 4096 + 123);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(sys.vmm.entryOf(as, HEAP + 2 * 4096)).toBe((slot << 12) | KPTE.SWAPPED | PTE.USER | PTE.RW);
    expect(sys.vmm.freeFrames).toBe(free + 1);
    for (const i of [0, 1, 3]) expect(sys.vmm.isPagePresent(as, HEAP + i * 4096)).toBe(true);
    expect(sys.vmm.stat).toMatchObject({ pswpout: 1, pgsteal_direct: 0, pgsteal_proactive: 0 });
    const sectors = new Uint8Array(4096);
    sys.disk!.read(SWAP_FIRST_LBA + 8 * slot, 8, sectors);
    expect(new DataView(sectors.buffer).getUint32(0, true)).toBe(0x5a000002);
    for (let i = 0; i < 4; i++) expect(read32(sys, HEAP + i * 4096)).toBe(0x5a000000 + i);
    expectHealthy(sys);
  });

  it("takes a page shared by fork out of both spaces, which both read it back", () => {
    const sys = bootTestSystem();
    const parent = spawn(sys, 1);
    write32(sys, HEAP, 0x5a5a);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    const slot = sys.vmm.swapOutPage(child, HEAP);
    for (const s of [parent, child]) expect(sys.vmm.entryOf(s, HEAP) >>> 12).toBe(slot);
    expect(sys.vmm.residentUserPages).toBe(0);
    for (const s of [child, parent]) {
      sys.vmm.switchAddressSpace(s);
      expect(read32(sys, HEAP)).toBe(0x5a5a);
    }
    expectHealthy(sys);
  });

  it("counts a slot named by more PTEs than its count byte holds (300 forks of a swapped page), and frees it with the last", () => {
    const sys = bootTestSystem();
    const parent = spawn(sys, 1);
    write32(sys, HEAP, 0x77);
    const slot = sys.vmm.swapOutPage(parent, HEAP);
    const spaces = [parent];
    for (let i = 0; i < 300; i++) spaces.push(sys.vmm.cloneAddressSpace(parent)!);
    const count = (): number => sys.vmm.inspect.slotRefcount(slot);
    expect(count()).toBe(301);
    expectHealthy(sys);
    // One sharer reads it in: the others keep naming the slot, which the page now shares with a frame.
    sys.vmm.switchAddressSpace(spaces[150]);
    expect(read32(sys, HEAP)).toBe(0x77);
    expect(count()).toBe(300);
    expectHealthy(sys);
    for (const [i, space] of spaces.entries()) {
      if (i === 150) continue;
      sys.vmm.destroyAddressSpace(space);
      const left = 299 - (i < 150 ? i : i - 1);
      expect(count()).toBe(left);
      if (left === 254 || left === 253 || left === 0) expectHealthy(sys);
    }
    expect(sys.vmm.swap!.usedSlots).toBe(0);
    sys.vmm.switchAddressSpace(spaces[150]);
    expect(read32(sys, HEAP)).toBe(0x77);
    expectHealthy(sys);
  });

  it("returns -1 and changes nothing for a page that is not resident, or when swap cannot take it", () => {
    const sys = bootTestSystem({ swapBytes: 4096 });
    const as = spawn(sys, 3);
    write32(sys, HEAP, 1);
    write32(sys, HEAP + 4096, 2);
    expect(sys.vmm.swapOutPage(as, HEAP + 2 * 4096)).toBe(-1); // demand-zero, never touched
    expect(sys.vmm.swapOutPage(as, 0x10000000)).toBe(-1); // no page table
    expect(sys.vmm.swapOutPage(as, HEAP)).toBe(0); // the one slot
    const before = sys.vmm.entryOf(as, HEAP + 4096);
    expect(sys.vmm.swapOutPage(as, HEAP + 4096)).toBe(-1); // swap full
    expect(sys.vmm.entryOf(as, HEAP + 4096)).toBe(before);
    const noSwap = bootTestSystem({ swapBytes: null });
    const other = spawn(noSwap, 1);
    write32(noSwap, HEAP, 3);
    expect(noSwap.vmm.swapOutPage(other, HEAP)).toBe(-1);
    expect(read32(noSwap, HEAP)).toBe(3);
    expect(read32(sys, HEAP + 4096)).toBe(2);
    expect(read32(sys, HEAP)).toBe(1);
    expectHealthy(sys);
  });
});
