/**
 * The invariant checker notices what it promises to notice: corrupt the
 * kernel's state by hand and it names the rule broken.
 */

import { describe, expect, it } from "vitest";
import { PTE } from "../../src/machine/i386.js";
import { FrameKind } from "../../src/kernel/frame-table.js";
import type { KernelState } from "../../src/kernel/kernel-state.js";
import type { SwapCache } from "../../src/kernel/swap-cache.js";
import { KERNEL_BASE, USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { type TestSystem, bootTestSystem, read32, write32 } from "./helpers.js";

function systemWithPage(): { sys: TestSystem; pteAddr: number; pfn: number } {
  const sys = bootTestSystem({ checkInvariants: false });
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  sys.vmm.brk(as, USER_HEAP_BASE + 4096);
  write32(sys, USER_HEAP_BASE, 1);
  const pd = sys.machine.memory.read32(as.pdPhys + (USER_HEAP_BASE >>> 22) * 4);
  const pteAddr = (pd & ~0xfff) >>> 0;
  return { sys, pteAddr, pfn: sys.vmm.virtToPhys(as, USER_HEAP_BASE) >>> 12 };
}

describe("the invariant checker", () => {
  it("holds on a healthy system", () => {
    expect(systemWithPage().sys.vmm.checkInvariants()).toEqual([]);
  });

  it("reports a present PTE that points at a free frame", () => {
    const { sys, pteAddr } = systemWithPage();
    const free = sys.vmm.kmallocPage();
    sys.vmm.kfreePage(free);
    sys.machine.memory.write32(pteAddr, (((free - KERNEL_BASE) >>> 12) << 12) | PTE.PRESENT | PTE.USER | PTE.RW);
    const rules = sys.vmm.checkInvariants().map((v) => v.rule);
    expect(rules).toContain("pte");
    expect(rules).toContain("leak"); // and the frame it used to map is now mapped by nobody
  });

  it("reports a second PTE the reference count does not know of", () => {
    const { sys, pteAddr } = systemWithPage();
    sys.machine.memory.write32(pteAddr + 4, sys.machine.memory.read32(pteAddr));
    expect(sys.vmm.checkInvariants().map((v) => v.rule)).toContain("user-refcount");
  });

  it("reports a swapped entry naming a slot that is not in use", () => {
    const { sys, pteAddr } = systemWithPage();
    sys.machine.memory.write32(pteAddr + 8, (5 << 12) | (1 << 10) | PTE.USER | PTE.RW);
    expect(sys.vmm.checkInvariants().map((v) => v.rule)).toContain("swap-refcount");
  });

  it("reports a swapped entry naming a retired (bad) slot", () => {
    const { sys, pteAddr } = systemWithPage();
    sys.disk!.failNthWrite(1);
    expect(sys.vmm.reclaim(1)).toBe(0); // the write failed: slot 0 is retired
    expect(sys.vmm.swap).toMatchObject({ usedSlots: 0, badSlots: 1 });
    expect(sys.vmm.checkInvariants()).toEqual([]);
    sys.machine.memory.write32(pteAddr + 8, (1 << 10) | PTE.USER | PTE.RW); // SWAPPED, slot 0
    const violations = sys.vmm.checkInvariants();
    expect(violations.map((v) => v.rule)).toContain("swap-refcount");
    expect(violations.map((v) => v.detail).join()).toMatch(/retired slot 0/);
  });

  it("reports a COW entry that is writable", () => {
    const { sys, pteAddr } = systemWithPage();
    sys.machine.memory.write32(pteAddr, sys.machine.memory.read32(pteAddr) | (1 << 9));
    expect(sys.vmm.checkInvariants().map((v) => v.rule)).toContain("pte");
  });

  it("reports a writable PTE on a frame in the swap cache, and on a shared frame", () => {
    const { sys, pteAddr } = systemWithPage();
    const parent = sys.vmm.current;
    const child = sys.vmm.cloneAddressSpace(parent)!;
    sys.vmm.cloneAddressSpace(parent);
    expect(sys.vmm.reclaim(1)).toBe(1);
    sys.vmm.switchAddressSpace(child);
    read32(sys, USER_HEAP_BASE);
    sys.vmm.switchAddressSpace(parent);
    read32(sys, USER_HEAP_BASE); // two of three sharers resident: the page is in the swap cache
    expect(sys.vmm.swap!.cachedPages).toBe(1);
    expect(sys.vmm.checkInvariants()).toEqual([]);
    sys.machine.memory.write32(pteAddr, (sys.machine.memory.read32(pteAddr) & ~(1 << 9)) | PTE.RW);
    const rules = sys.vmm.checkInvariants().map((v) => v.rule);
    expect(rules).toContain("swap-cache");
    expect(rules).toContain("sharing");
  });

  it("keeps each space's resident and swapped counters as its entries change, and reports one that disagrees", () => {
    const { sys } = systemWithPage();
    const parent = sys.vmm.current;
    const child = sys.vmm.cloneAddressSpace(parent)!;
    const counts = (): number[][] => [parent, child].map((s) => [s.rss, s.swapped]);
    expect(counts()).toEqual([[1, 0], [1, 0]]);
    expect(sys.vmm.reclaim(1)).toBe(1); // the shared page goes to one slot, named by both entries
    expect(counts()).toEqual([[0, 1], [0, 1]]);
    sys.vmm.switchAddressSpace(child);
    read32(sys, USER_HEAP_BASE);
    expect(counts()).toEqual([[0, 1], [1, 0]]);
    sys.vmm.munmap(parent, USER_HEAP_BASE, 4096); // a swapped entry released
    expect(counts()).toEqual([[0, 0], [1, 0]]);
    expect(sys.vmm.checkInvariants()).toEqual([]);
    child.swapped++;
    expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`space ${child.id}: swapped says 1, page tables hold 0 swapped entries`);
  });

  it("reports the kernel's page directory or a kernel page table whose frame is free", () => {
    const { sys } = systemWithPage();
    const { frames, frameTable } = sys.vmm.boot;
    const pd = sys.vmm.kernelSpace.pdPhys;
    const table = (sys.machine.memory.read32(pd + 769 * 4) & ~0xfff) >>> 0;
    for (const pa of [pd, table]) {
      frames.freeFrame(pa >>> 12); // freed behind the kernel's back, bitmap and frame table agreeing
      frameTable.setKind(pa >>> 12, FrameKind.FREE);
    }
    const details = sys.vmm.checkInvariants().map((v) => `[${v.rule}] ${v.detail}`);
    expect(details).toContain(`[frame] kernel page directory (frame ${pd >>> 12}) is free`);
    expect(details).toContain(`[frame] kernel page table of directory slot 769 (frame ${table >>> 12}) is free`);
  });

  it("reports a broken entry at every place of the groups it passes over at once (eight entries, eight directory slots, eight shared directory slots, eight swap slots)", () => {
    for (let k = 0; k < 8; k++) {
      const { sys, pteAddr } = systemWithPage();
      sys.machine.memory.write32(pteAddr + 64 + k * 4, (5 << 12) | (1 << 10) | PTE.USER | PTE.RW); // SWAPPED, slot 5 not in use
      expect(sys.vmm.checkInvariants().map((v) => v.detail), `entry ${16 + k}`).toContain("slot 5: count 0, PTEs naming it 1");
    }
    for (const slot of [8, 13, 15, 767]) {
      const { sys } = systemWithPage();
      // A present directory entry naming a frame that is no page table of this space.
      sys.machine.memory.write32(sys.vmm.current.pdPhys + slot * 4, (300 << 12) | PTE.PRESENT | PTE.USER | PTE.RW);
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`table of space 1 slot ${slot} (frame 300) is not recorded as its page table`);
    }
    for (const slot of [768, 775, 1016, 1022]) {
      const { sys } = systemWithPage();
      const at = sys.vmm.current.pdPhys + slot * 4;
      sys.machine.memory.write32(at, sys.machine.memory.read32(at) ^ PTE.RW);
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`space 1: directory slot ${slot} is not the kernel's`);
    }
    for (let slot = 0; slot < 16; slot++) {
      const { sys, pteAddr } = systemWithPage();
      sys.machine.memory.write32(pteAddr + 8, (slot << 12) | (1 << 10) | PTE.USER | PTE.RW);
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`slot ${slot}: count 0, PTEs naming it 1`);
    }
  });

  it("reports a swap-cache link that is not returned, at every place of the eight slots or frames passed over at once", () => {
    /** The swap cache's two maps, corrupted by hand below (the Vmm shows only its counts). */
    const cacheOf = (sys: TestSystem): SwapCache => (sys.vmm as unknown as { k: KernelState }).k.swap!.cache;
    for (const slot of [0, 3, 7, 8, 15]) {
      const { sys } = systemWithPage();
      cacheOf(sys).frameOfSlot[slot] = 300;
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`slot ${slot} names frame 300, which does not name it back`);
    }
    for (const pfn of [296, 300, 303, 1023]) {
      const { sys } = systemWithPage();
      cacheOf(sys).slotOfFrame[pfn] = 3;
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`frame ${pfn} names slot 3, which does not name it back`);
    }
  });

  it("reports a pinned frame, or a bitmap that disagrees with the kind, anywhere in the runs of reserved or free frames passed over 32 at a time", () => {
    for (const pfn of [0, 17, 31, 32]) {
      const { sys } = systemWithPage();
      expect(sys.vmm.boot.frameTable.kind[pfn]).toBe(FrameKind.RESERVED);
      sys.vmm.boot.frameTable.pinned[pfn] = 1;
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`frame ${pfn} is still pinned`);
    }
    for (const pfn of [992, 1000, 1023]) {
      const { sys } = systemWithPage();
      const { frames, frameTable } = sys.vmm.boot;
      expect(frames.usedWord(31)).toBe(0); // frames 992..1023 all free
      frames.reserve(pfn);
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`frame ${pfn}: bitmap says used, kind is free`);
      frames.freeFrame(pfn);
      frameTable.setKind(pfn, FrameKind.KERNEL);
      expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain(`frame ${pfn}: bitmap says free, kind is kernel`);
    }
  });

  it("reports a user space whose kernel half is not the kernel's", () => {
    const { sys } = systemWithPage();
    sys.machine.memory.write32(sys.vmm.current.pdPhys + 768 * 4, 0); // the first 4 MiB of the RAM alias gone from this space
    expect(sys.vmm.checkInvariants().map((v) => v.detail)).toContain("space 1: directory slot 768 is not the kernel's");
  });
});
