/**
 * The swap cache: a page shared by several processes and evicted comes back
 * shared — one frame, one read — with the rights each PTE had before; a
 * clean cached page goes back to its slot without a write; a page written in
 * place leaves the cache, and the others still get the old page from disk;
 * and whatever order the sharers exit in, no frame, slot or cache entry is
 * left (the invariant checker runs after every operation).
 */

import { describe, expect, it } from "vitest";
import { ACCESS, PTE } from "../../src/machine/i386.js";
import type { AddressSpace } from "../../src/kernel/vmm.js";
import { PROT } from "../../src/kernel/vmm.js";
import { KPTE } from "../../src/kernel/pte.js";
import { USER_HEAP_BASE, USER_SHARED_BASE } from "../../src/kernel/layout.js";
import { type TestSystem, bootTestSystem, expectHealthy, failingAccess, read32, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;
const WORDS = 1024;

function value(seed: number, word: number): number {
  return (seed * 0x9e3779b1 + word * 0x85ebca6b) >>> 0;
}

/** Writes a whole page of `seed`'s pattern at `va` of the current space. */
function fill(sys: TestSystem, va: number, seed: number): void {
  for (let w = 0; w < WORDS; w++) write32(sys, va + w * 4, value(seed, w));
}

/** Reads the whole page at `va` of `space`; true when it holds `seed`'s pattern. */
function holds(sys: TestSystem, space: AddressSpace, va: number, seed: number): boolean {
  sys.vmm.switchAddressSpace(space);
  for (let w = 0; w < WORDS; w++) if (read32(sys, va + w * 4) >>> 0 !== value(seed, w)) return false;
  return true;
}

/** A parent with one heap page of pattern 7, forked twice: three spaces sharing one COW frame. */
function threeSharers(sys: TestSystem): AddressSpace[] {
  const parent = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(parent);
  expect(sys.vmm.brk(parent, HEAP + 4096)).toBe(true);
  fill(sys, HEAP, 7);
  const a = sys.vmm.cloneAddressSpace(parent)!;
  const b = sys.vmm.cloneAddressSpace(parent)!;
  return [parent, a, b];
}

/** Evicts the one user page; returns the slot its PTEs now name. */
function evictTheOnePage(sys: TestSystem, spaces: AddressSpace[]): number {
  expect(sys.vmm.residentUserPages).toBe(1);
  expect(sys.vmm.reclaim(1)).toBe(1);
  const slots = spaces.map((s) => sys.vmm.entryOf(s, HEAP));
  for (const e of slots) expect(e & KPTE.SWAPPED).toBe(KPTE.SWAPPED);
  expect(new Set(slots.map((e) => e >>> 12)).size).toBe(1);
  return slots[0] >>> 12;
}

describe("swap-in restores sharing", () => {
  it("a page shared by three processes, evicted, then read by all three is one frame read once", () => {
    const sys = bootTestSystem();
    const spaces = threeSharers(sys);
    evictTheOnePage(sys, spaces);
    expect(sys.vmm.stat.pswpout).toBe(1);
    for (const s of spaces) expect(holds(sys, s, HEAP, 7)).toBe(true);
    const frames = spaces.map((s) => sys.vmm.virtToPhys(s, HEAP));
    expect(new Set(frames).size).toBe(1);
    expect(sys.vmm.residentUserPages).toBe(1);
    expect(sys.vmm.stat).toMatchObject({ pswpin: 1, pgmajfault: 1 });
    expect(sys.vmm.vmm386.swapcache_hit).toBe(2);
    expect(sys.vmm.faults.swapIn).toBe(3);
    // Every sharer faulted it in: the slot and the cache entry are gone.
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, cachedPages: 0 });
    for (const s of spaces) expect(sys.vmm.entryOf(s, HEAP) & (PTE.RW | KPTE.COW)).toBe(KPTE.COW);
    expectHealthy(sys);
  });

  it("a write by one sharer after that breaks COW for it only", () => {
    const sys = bootTestSystem();
    const [parent, a, b] = threeSharers(sys);
    evictTheOnePage(sys, [parent, a, b]);
    for (const s of [parent, a, b]) expect(holds(sys, s, HEAP, 7)).toBe(true);
    const shared = sys.vmm.virtToPhys(parent, HEAP);
    sys.vmm.switchAddressSpace(a);
    fill(sys, HEAP, 9);
    expect(sys.vmm.vmm386.cow_copy).toBe(1);
    expect(sys.vmm.virtToPhys(a, HEAP)).not.toBe(shared);
    expect(sys.vmm.virtToPhys(parent, HEAP)).toBe(shared);
    expect(sys.vmm.virtToPhys(b, HEAP)).toBe(shared);
    expect(holds(sys, a, HEAP, 9)).toBe(true);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    expect(holds(sys, b, HEAP, 7)).toBe(true);
    expectHealthy(sys);
  });

  it("while some sharers have not faulted yet, the page stays cached and the slot counts only them", () => {
    const sys = bootTestSystem();
    const [parent, a, b] = threeSharers(sys);
    evictTheOnePage(sys, [parent, a, b]);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 1, cachedPages: 1 });
    expect(holds(sys, a, HEAP, 7)).toBe(true);
    expect(sys.vmm.virtToPhys(a, HEAP)).toBe(sys.vmm.virtToPhys(parent, HEAP));
    expect(sys.vmm.isPagePresent(b, HEAP)).toBe(false);
    expect(sys.vmm.stat.pswpin).toBe(1);
    expectHealthy(sys);
  });

  it("a sharer that writes the page in place (its last mapper) leaves the others the old page from disk", () => {
    const sys = bootTestSystem();
    const [parent, a, b] = threeSharers(sys);
    evictTheOnePage(sys, [parent, a, b]);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    const frame = sys.vmm.virtToPhys(parent, HEAP);
    sys.vmm.switchAddressSpace(parent);
    fill(sys, HEAP, 8); // the only mapper: takes the frame itself, which leaves the cache
    expect(sys.vmm.stat.pgreuse).toBe(1);
    expect(sys.vmm.virtToPhys(parent, HEAP)).toBe(frame);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 1, cachedPages: 0 });
    expect(holds(sys, a, HEAP, 7)).toBe(true);
    expect(holds(sys, b, HEAP, 7)).toBe(true);
    expect(holds(sys, parent, HEAP, 8)).toBe(true);
    expect(sys.vmm.stat.pswpin).toBe(2);
    expect(sys.vmm.virtToPhys(a, HEAP)).toBe(sys.vmm.virtToPhys(b, HEAP));
    expectHealthy(sys);
  });

  it("a read-only page stays read-only (not COW) for every sharer, and a write to it is still a segv", () => {
    const sys = bootTestSystem();
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.mmap(parent, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
    expect(read32(sys, USER_SHARED_BASE)).toBe(0);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    expect(sys.vmm.reclaim(1)).toBe(1);
    for (const s of [parent, child]) {
      sys.vmm.switchAddressSpace(s);
      expect(read32(sys, USER_SHARED_BASE)).toBe(0);
      expect(sys.vmm.entryOf(s, USER_SHARED_BASE) & (PTE.RW | KPTE.COW)).toBe(0);
    }
    expect(sys.vmm.virtToPhys(child, USER_SHARED_BASE)).toBe(sys.vmm.virtToPhys(parent, USER_SHARED_BASE));
    expect(sys.vmm.stat.pswpin).toBe(1);
    expect(failingAccess(sys, USER_SHARED_BASE, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    expectHealthy(sys);
  });

  it("a private writable page forked while swapped comes back shared copy-on-write, and each side's write stays its own", () => {
    const sys = bootTestSystem();
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.brk(parent, HEAP + 4096)).toBe(true);
    fill(sys, HEAP, 3);
    expect(sys.vmm.reclaim(1)).toBe(1);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    expect(sys.vmm.entryOf(child, HEAP) & PTE.RW).toBe(PTE.RW); // fork copied the swapped entry as it was
    expect(holds(sys, parent, HEAP, 3)).toBe(true);
    expect(holds(sys, child, HEAP, 3)).toBe(true);
    expect(sys.vmm.virtToPhys(child, HEAP)).toBe(sys.vmm.virtToPhys(parent, HEAP));
    for (const s of [parent, child]) expect(sys.vmm.entryOf(s, HEAP) & (PTE.RW | KPTE.COW)).toBe(KPTE.COW);
    sys.vmm.switchAddressSpace(child);
    fill(sys, HEAP, 4);
    sys.vmm.switchAddressSpace(parent);
    fill(sys, HEAP, 5);
    expect(sys.vmm.stat).toMatchObject({ pswpin: 1, pgreuse: 1 });
    expect(sys.vmm.vmm386.cow_copy).toBe(1);
    expect(holds(sys, child, HEAP, 4)).toBe(true);
    expect(holds(sys, parent, HEAP, 5)).toBe(true);
    expectHealthy(sys);
  });
});

describe("evicting a swap-cache page", () => {
  it("a clean cached page goes back to its slot with no disk write, and all its sharers name that slot", () => {
    const sys = bootTestSystem();
    const [parent, a, b] = threeSharers(sys);
    const slot = evictTheOnePage(sys, [parent, a, b]);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    expect(holds(sys, a, HEAP, 7)).toBe(true);
    const writes = sys.disk!.writes;
    expect(evictTheOnePage(sys, [parent, a, b])).toBe(slot);
    expect(sys.disk!.writes).toBe(writes);
    // Both evictions were Vmm.reclaim's (memory.reclaim): proactive, not direct.
    expect(sys.vmm.stat).toMatchObject({ pswpout: 1, pgsteal_proactive: 2, pgsteal_direct: 0 });
    expect(sys.vmm.vmm386.swapout_clean).toBe(1);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 1, cachedPages: 0 });
    for (const s of [b, a, parent]) expect(holds(sys, s, HEAP, 7)).toBe(true);
    expect(new Set([parent, a, b].map((s) => sys.vmm.virtToPhys(s, HEAP))).size).toBe(1);
    expect(sys.vmm.stat.pswpin).toBe(2);
    expectHealthy(sys);
  });

  it("a page some sharer wrote is written to a new slot, and the untouched sharers keep the old page", () => {
    const sys = bootTestSystem();
    const [parent, a, b] = threeSharers(sys);
    const slot = evictTheOnePage(sys, [parent, a, b]);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    sys.vmm.switchAddressSpace(parent);
    fill(sys, HEAP, 8); // written in place: out of the cache
    const writes = sys.disk!.writes;
    expect(sys.vmm.reclaim(1)).toBe(1);
    expect(sys.disk!.writes).toBe(writes + 1);
    expect(sys.vmm.entryOf(parent, HEAP) >>> 12).not.toBe(slot);
    expect(sys.vmm.stat.pswpout).toBe(2);
    expect(sys.vmm.vmm386.swapout_clean).toBe(0);
    expect(holds(sys, a, HEAP, 7)).toBe(true);
    expect(holds(sys, parent, HEAP, 8)).toBe(true);
    expect(holds(sys, b, HEAP, 7)).toBe(true);
    expectHealthy(sys);
  });

  it("with every slot in use, a clean cached page is still evicted (it needs no slot), and an allocation succeeds", () => {
    const sys = bootTestSystem({ swapBytes: 8 * 4096, userFrameLimit: 2 });
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.brk(parent, HEAP + 4096)).toBe(true);
    fill(sys, HEAP, 7);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    const slot = evictTheOnePage(sys, [parent, child]);
    const other = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(other);
    expect(sys.vmm.brk(other, HEAP + 9 * 4096)).toBe(true);
    for (let p = 0; p < 7; p++) write32(sys, HEAP + p * 4096, 0x0e000000 + p);
    sys.vmm.reclaim(2);
    expect(sys.vmm.swap).toMatchObject({ totalSlots: 8, usedSlots: 8 }); // full
    expect(holds(sys, child, HEAP, 7)).toBe(true); // in the swap cache: the parent still names the slot
    sys.vmm.switchAddressSpace(other);
    write32(sys, HEAP + 7 * 4096, 0x0e000007);
    const writes = sys.disk!.writes;
    write32(sys, HEAP + 8 * 4096, 0x0e000008); // at the limit, no slot free: only the cached page can go
    expect(sys.disk!.writes).toBe(writes);
    expect(sys.vmm.vmm386.swapout_clean).toBe(1);
    expect(sys.vmm.entryOf(child, HEAP) >>> 12).toBe(slot);
    sys.vmm.destroyAddressSpace(other);
    expect(holds(sys, child, HEAP, 7)).toBe(true);
    expect(holds(sys, parent, HEAP, 7)).toBe(true);
    expectHealthy(sys);
  });
});

describe("exit with pages in the swap cache", () => {
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  for (const order of orders) {
    it(`sharers exiting in the order ${order.join(", ")} leave no frame, slot or cache entry`, () => {
      const sys = bootTestSystem();
      const spaces = threeSharers(sys);
      const baseline = sys.vmm.freeFrames + 1; // the shared frame itself
      evictTheOnePage(sys, spaces);
      expect(holds(sys, spaces[order[1]], HEAP, 7)).toBe(true); // one resident sharer, two on the slot
      for (const i of order) {
        sys.vmm.destroyAddressSpace(spaces[i]);
        for (const j of order.slice(order.indexOf(i) + 1)) expect(holds(sys, spaces[j], HEAP, 7)).toBe(true);
      }
      expect(sys.vmm.residentUserPages).toBe(0);
      expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, cachedPages: 0 });
      expect(sys.vmm.freeFrames).toBeGreaterThanOrEqual(baseline);
      expectHealthy(sys);
    });
  }

  it("sixteen shared pages cycled through six frames: one read per page per round, and a clean exit", () => {
    const sys = bootTestSystem({ userFrameLimit: 6 });
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.brk(parent, HEAP + 16 * 4096)).toBe(true);
    for (let p = 0; p < 16; p++) write32(sys, HEAP + p * 4096, p + 1);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    for (let round = 0; round < 3; round++) {
      for (let p = 0; p < 16; p++) {
        for (const s of [parent, child]) {
          sys.vmm.switchAddressSpace(s);
          expect(read32(sys, HEAP + p * 4096)).toBe(p + 1);
        }
      }
    }
    // The parent's fault reads the page, the child's maps the same frame: one read per page per round.
    expect(sys.vmm.stat.pswpin).toBeGreaterThan(16);
    expect(sys.vmm.vmm386.swapcache_hit).toBe(sys.vmm.stat.pswpin);
    // Both faulted it in, so its slot was freed: evicting it again writes it (nothing is clean against a freed slot).
    expect(sys.vmm.vmm386.swapout_clean).toBe(0);
    sys.vmm.destroyAddressSpace(parent);
    sys.vmm.switchAddressSpace(child);
    for (let p = 0; p < 16; p++) expect(read32(sys, HEAP + p * 4096)).toBe(p + 1);
    sys.vmm.destroyAddressSpace(child);
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, cachedPages: 0 });
    expectHealthy(sys);
  });
});
