/**
 * TLB invalidation: every change to a present entry of the active space is
 * invalidated (INVLPG on a 486+, a CR3 reload on an 80386, deferred over bulk
 * work), so strict TLB mode finds no stale entry and the TLB never lets a
 * process write through a mapping the kernel took away. A kernel that raises
 * rights without INVLPG gets a spurious fault, which it resolves.
 */

import { describe, expect, it } from "vitest";
import { CPU_NAMES } from "../../src/machine/cpu-model.js";
import { ACCESS, PF, PTE } from "../../src/machine/i386.js";
import { FAULT } from "../../src/machine/mmu.js";
import { USER_HEAP_BASE, USER_SHARED_BASE } from "../../src/kernel/layout.js";
import { PROT } from "../../src/kernel/vmm.js";
import { type TestSystem, bootTestSystem, expectHealthy, failingAccess, read32, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

describe("invalidation", () => {
  for (const cpu of CPU_NAMES) {
    it(`makes a parent's write after fork copy the page, though its TLB held it writable (${cpu})`, () => {
      const sys = bootTestSystem({ cpu, strict: false });
      const parent = sys.vmm.createAddressSpace()!;
      sys.vmm.switchAddressSpace(parent);
      sys.vmm.brk(parent, HEAP + 4096);
      write32(sys, HEAP, 1); // the TLB now holds the page writable and dirty
      const child = sys.vmm.cloneAddressSpace(parent)!;
      write32(sys, HEAP, 2);
      sys.vmm.switchAddressSpace(child);
      expect(read32(sys, HEAP)).toBe(1);
      expect(sys.vmm.vmm386.cow_copy).toBe(1);
    });
  }

  it("pays one CR3 reload for a whole fork on an 80386", () => {
    const sys = bootTestSystem({ cpu: "i386" });
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    sys.vmm.brk(parent, HEAP + 64 * 4096);
    for (let i = 0; i < 64; i++) write32(sys, HEAP + i * 4096, i);
    const before = sys.vmm.tlbControl.fullFlushes;
    sys.vmm.cloneAddressSpace(parent);
    expect(sys.vmm.tlbControl.fullFlushes - before).toBe(1);
    expectHealthy(sys);
  });

  it("uses INVLPG per page on a 486", () => {
    const sys = bootTestSystem({ cpu: "i486" });
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    sys.vmm.brk(parent, HEAP + 8 * 4096);
    for (let i = 0; i < 8; i++) write32(sys, HEAP + i * 4096, i);
    const before = { ...sys.vmm.tlbControl };
    sys.vmm.cloneAddressSpace(parent);
    expect(sys.vmm.tlbControl.invlpgs - before.invlpgs).toBe(8);
    expect(sys.vmm.tlbControl.fullFlushes).toBe(before.fullFlushes);
    expectHealthy(sys);
  });

  for (const cpu of ["i386", "p6"] as const) {
    it(`lets working-set sampling see pages referenced again after it cleared Accessed (${cpu})`, () => {
      const sys = bootTestSystem({ cpu });
      const as = sys.vmm.createAddressSpace()!;
      sys.vmm.switchAddressSpace(as);
      sys.vmm.brk(as, HEAP + 10 * 4096);
      for (let i = 0; i < 10; i++) write32(sys, HEAP + i * 4096, i);
      sys.vmm.tick(100);
      expect(as.wsPages).toBe(10);
      for (let i = 0; i < 3; i++) read32(sys, HEAP + i * 4096);
      sys.vmm.tick(200);
      expect(as.wsPages).toBe(3);
      expectHealthy(sys);
    });
  }

  it("keeps strict mode quiet through eviction of shared pages, munmap and brk shrink", () => {
    const sys = bootTestSystem({ cpu: "pentium", userFrameLimit: 6 });
    const a = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(a);
    sys.vmm.brk(a, HEAP + 12 * 4096);
    for (let i = 0; i < 12; i++) write32(sys, HEAP + i * 4096, i);
    const b = sys.vmm.cloneAddressSpace(a)!;
    for (let i = 0; i < 12; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i);
    sys.vmm.switchAddressSpace(b);
    for (let i = 0; i < 12; i++) expect(read32(sys, HEAP + i * 4096)).toBe(i);
    sys.vmm.munmap(b, HEAP, 4096);
    sys.vmm.brk(b, HEAP + 4096 * 6);
    sys.vmm.switchAddressSpace(a);
    for (let i = 0; i < 12; i++) write32(sys, HEAP + i * 4096, i + 100);
    expectHealthy(sys);
  });
});

describe("spurious faults (SDM 4.10.4.3)", () => {
  for (const cpu of ["i386", "i486"] as const) {
    it(`resolve a write through a stale read-only entry after the PTE was made writable without INVLPG (${cpu})`, () => {
      // Strict mode stays quiet: a stale entry that refuses more than the tables is legal (strict-tlb.ts).
      const sys = bootTestSystem({ cpu, strict: true });
      const as = sys.vmm.createAddressSpace()!;
      sys.vmm.switchAddressSpace(as);
      expect(sys.vmm.mmap(as, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
      expect(read32(sys, USER_SHARED_BASE)).toBe(0); // the TLB now holds the page read-only
      const pteAddr = pteAddressOf(sys, as.pdPhys, USER_SHARED_BASE);
      const { memory, mmu } = sys.machine;
      memory.write32(pteAddr, memory.read32(pteAddr) | PTE.RW); // upgraded lazily: no INVLPG
      expect(mmu.translate(USER_SHARED_BASE, ACCESS.USER_WRITE)).toBe(FAULT);
      expect(mmu.errorCode).toBe(PF.PRESENT | PF.WRITE | PF.USER);
      expect(sys.vmm.handlePageFault(mmu.errorCode, mmu.cr2)).toEqual({ kind: "resolved", how: "spurious" });
      write32(sys, USER_SHARED_BASE, 0x5151);
      expect(read32(sys, USER_SHARED_BASE)).toBe(0x5151);
      expect(sys.vmm.vmm386.spurious_fault).toBe(1);
      expect(sys.vmm.faults.segv).toBe(0);
      expect(sys.vmm.checkInvariants()).toEqual([]);
      expect(sys.machine.mmu.strictViolations).toEqual([]);
    });
  }

  it("still refuse a write the tables forbid, and a user access the directory entry forbids", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.mmap(as, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
    read32(sys, USER_SHARED_BASE);
    expect(failingAccess(sys, USER_SHARED_BASE, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv", reason: expect.stringMatching(/write to read-only/) });
    const pdeAddr = as.pdPhys + (USER_SHARED_BASE >>> 22) * 4;
    const { memory } = sys.machine;
    memory.write32(pdeAddr, memory.read32(pdeAddr) & ~PTE.USER);
    const read = PF.PRESENT | PF.USER;
    expect(sys.vmm.handlePageFault(read, USER_SHARED_BASE)).toMatchObject({ kind: "segv", reason: expect.stringMatching(/protection fault/) });
    expect(sys.vmm.vmm386.spurious_fault).toBe(0);
  });
});

/** Physical address of the PTE mapping `va` in the directory at `pdPhys`. */
function pteAddressOf(sys: TestSystem, pdPhys: number, va: number): number {
  const pde = sys.machine.memory.read32(pdPhys + (va >>> 22) * 4);
  return ((pde & ~0xfff) >>> 0) + ((va >>> 12) & 0x3ff) * 4;
}
