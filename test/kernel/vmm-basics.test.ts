import { describe, expect, it } from "vitest";
import { ACCESS, CR0, PTE } from "../../src/machine/i386.js";
import { KERNEL_BASE, USER_CODE_BASE, USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { PROT } from "../../src/kernel/vmm.js";
import { MIB, type TestSystem, bootTestSystem, expectHealthy, failingAccess, read32, write32 } from "./helpers.js";

describe("boot", () => {
  it("turns paging on with a recursive directory and the null page unmapped", () => {
    const sys = bootTestSystem();
    const { mmu, memory } = sys.machine;
    expect(mmu.cr0 & CR0.PG).not.toBe(0);
    expect(mmu.cr0 & CR0.WP).not.toBe(0);
    const pd = sys.vmm.kernelSpace.pdPhys;
    expect(mmu.cr3).toBe(pd);
    expect((memory.read32(pd + 1023 * 4) & ~0xfff) >>> 0).toBe(pd);
    expect(sys.vmm.entryOf(sys.vmm.kernelSpace, 0)).toBe(0);
    expect(sys.vmm.entryOf(sys.vmm.kernelSpace, 0x1000) & PTE.PRESENT).toBe(PTE.PRESENT);
    expect(sys.vmm.virtToPhys(sys.vmm.kernelSpace, KERNEL_BASE + 0x123456)).toBe(0x123456);
    expectHealthy(sys);
  });

  it("never hands out the first MiB, the kernel image or the boot information", () => {
    const sys = bootTestSystem({ ramBytes: 2 * MIB });
    const seen = new Set<number>();
    for (;;) {
      const va = sys.vmm.kmallocPage();
      if (va === 0) break;
      seen.add((va - KERNEL_BASE) / 4096);
    }
    for (const pfn of seen) expect(pfn).toBeGreaterThanOrEqual(0x180);
    expect(seen.has(sys.machine.bootInfoAddress >>> 12)).toBe(false);
  });

  it("maps kernel text read-only in the kernel alias", () => {
    const sys = bootTestSystem();
    const text = sys.vmm.entryOf(sys.vmm.kernelSpace, KERNEL_BASE + 0x100000);
    expect(text & PTE.PRESENT).toBe(PTE.PRESENT);
    expect(text & PTE.RW).toBe(0);
    expect(sys.vmm.isPageWritable(sys.vmm.kernelSpace, KERNEL_BASE + 0x180000)).toBe(true);
  });
});

describe("demand paging", () => {
  it("gives a heap page zero-filled on first touch and keeps what is written", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.brk(as, USER_HEAP_BASE + 3 * 4096)).toBe(true);
    expect(read32(sys, USER_HEAP_BASE + 8)).toBe(0);
    write32(sys, USER_HEAP_BASE + 8, 0xdeadbeef);
    expect(read32(sys, USER_HEAP_BASE + 8) >>> 0).toBe(0xdeadbeef);
    expect(sys.vmm.faults.demandZero).toBe(1);
    expect(sys.vmm.stat.pgfault).toBe(1);
    expectHealthy(sys);
  });

  it("grows the stack on touch anywhere in the stack region", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    write32(sys, USER_STACK_TOP - 4, 7);
    write32(sys, USER_STACK_TOP - 40 * 4096, 9);
    expect(as.stackBottom).toBe(USER_STACK_TOP - 40 * 4096);
    expect(sys.vmm.faults.stack).toBe(2);
    expectHealthy(sys);
  });

  it("maps mmap'd pages read-only when asked and refuses writes to them", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.mmap(as, USER_SHARED_BASE, 8192, PROT.READ)).toBe(true);
    expect(read32(sys, USER_SHARED_BASE + 4096)).toBe(0);
    expect(failingAccess(sys, USER_SHARED_BASE + 4096, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    expectHealthy(sys);
  });

  it("maps a program image demand-zero in the code region only, refusing overlaps and other regions", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.mapImage(as, USER_CODE_BASE, 3 * 4096, PROT.READ | PROT.WRITE)).toBe(true);
    expect(read32(sys, USER_CODE_BASE + 8192)).toBe(0);
    write32(sys, USER_CODE_BASE + 4, 0x1234);
    expect(read32(sys, USER_CODE_BASE + 4)).toBe(0x1234);
    expect(sys.vmm.faults.demandZero).toBe(2);
    expect(sys.vmm.mapImage(as, USER_CODE_BASE + 8192, 4096, PROT.READ)).toBe(false);
    expect(sys.vmm.mapImage(as, USER_SHARED_BASE, 4096, PROT.READ)).toBe(false);
    expect(sys.vmm.mapImage(as, 0x1000, 4096, PROT.READ)).toBe(false);
    expectHealthy(sys);
  });

  it("treats a supervisor fault as a kernel panic", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(failingAccess(sys, USER_HEAP_BASE, ACCESS.WRITE)).toMatchObject({ kind: "panic" });
  });
});

describe("kernel pages", () => {
  it("kmallocAligned returns physically contiguous low pages that kfreePage gives back", () => {
    const sys = bootTestSystem();
    const free = sys.vmm.freeFrames;
    const va = sys.vmm.kmallocAligned(5 * 4096 - 100);
    expect(va % 4096).toBe(0);
    expect(va).toBeGreaterThanOrEqual(KERNEL_BASE);
    expect(sys.vmm.freeFrames).toBe(free - 5);
    for (let i = 0; i < 5; i++) expect(sys.vmm.virtToPhys(sys.vmm.kernelSpace, va + i * 4096)).toBe(va - KERNEL_BASE + i * 4096);
    for (let i = 0; i < 5; i++) sys.vmm.kfreePage(va + i * 4096);
    expect(sys.vmm.freeFrames).toBe(free);
    expectHealthy(sys);
  });

  it("kfreePage refuses what is not a kernel-heap page still allocated, naming it, and changes nothing", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    write32(sys, USER_STACK_TOP - 4, 1);
    const heapPage = sys.vmm.kmallocPage();
    expect(sys.vmm.kfreePage(heapPage)).toEqual({ freed: true });
    const { memory } = sys.machine;
    const kernelPd = sys.vmm.kernelSpace.pdPhys;
    const bootTable = (memory.read32(kernelPd + 768 * 4) & ~0xfff) >>> 0;
    const userTable = (memory.read32(as.pdPhys + ((USER_STACK_TOP - 4096) >>> 22) * 4) & ~0xfff) >>> 0;
    const refusals: [number, RegExp][] = [
      [KERNEL_BASE + kernelPd, /the kernel page directory/],
      [KERNEL_BASE + bootTable, /a boot allocation \(a kernel page table\)/],
      [KERNEL_BASE + userTable, /a page table of address space 1/],
      [KERNEL_BASE + as.pdPhys, /the page directory of address space 1/],
      [KERNEL_BASE + sys.vmm.virtToPhys(as, USER_STACK_TOP - 4096), /a user page/],
      [heapPage, /free \(never handed out, or already freed\)/],
      [KERNEL_BASE + 0x100000, /reserved/],
      [heapPage + 8, /not page-aligned/],
      [USER_HEAP_BASE, /not a kernel address/],
      [KERNEL_BASE + sys.vmm.boot.aliasFrames * 4096, /beyond the kernel's RAM alias/],
    ];
    const free = sys.vmm.freeFrames;
    const before = [kernelPd, bootTable, userTable, as.pdPhys].map((pa) => readFrameWords(sys, pa));
    for (const [va, reason] of refusals) {
      const result = sys.vmm.kfreePage(va);
      expect(result.freed, `kfreePage(0x${va.toString(16)})`).toBe(false);
      if (!result.freed) expect(result.reason).toMatch(reason);
    }
    expect(sys.vmm.freeFrames).toBe(free);
    expect([kernelPd, bootTable, userTable, as.pdPhys].map((pa) => readFrameWords(sys, pa))).toEqual(before);
    const other = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(other);
    write32(sys, USER_STACK_TOP - 4, 2);
    expect(read32(sys, USER_STACK_TOP - 4)).toBe(2);
    expectHealthy(sys);
  });
});

function readFrameWords(sys: TestSystem, pa: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < 1024; i++) words.push(sys.machine.memory.read32(pa + i * 4));
  return words;
}

describe("address spaces", () => {
  it("stay alive while a thread still holds a reference", () => {
    const sys = bootTestSystem();
    const free = sys.vmm.freeFrames;
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    write32(sys, USER_STACK_TOP - 4, 42);
    as.refcount++; // a second thread
    sys.vmm.destroyAddressSpace(as);
    expect(read32(sys, USER_STACK_TOP - 4)).toBe(42);
    sys.vmm.destroyAddressSpace(as);
    expect(as.alive).toBe(false);
    expect(sys.vmm.current).toBe(sys.vmm.kernelSpace);
    expect(sys.vmm.freeFrames).toBe(free);
    expectHealthy(sys);
  });

  it("share the kernel half and have their own recursive slot", () => {
    const sys = bootTestSystem();
    const a = sys.vmm.createAddressSpace()!;
    const b = sys.vmm.createAddressSpace()!;
    const mem = sys.machine.memory;
    for (let i = 768; i < 1023; i++) expect(mem.read32(a.pdPhys + i * 4)).toBe(mem.read32(sys.vmm.kernelSpace.pdPhys + i * 4));
    expect((mem.read32(b.pdPhys + 1023 * 4) & ~0xfff) >>> 0).toBe(b.pdPhys);
    sys.vmm.switchAddressSpace(b);
    // Through the MMU, 0xFFFFF000 shows b's own directory.
    expect(sys.machine.mmu.translate(0xfffff000, 0)).toBe(b.pdPhys >>> 12);
  });
});

describe("markRegionCow", () => {
  it("makes a region read-only + COW; a write then takes the page back without a copy", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    sys.vmm.brk(as, USER_HEAP_BASE + 2 * 4096);
    write32(sys, USER_HEAP_BASE, 1);
    write32(sys, USER_HEAP_BASE + 4096, 2);
    sys.vmm.markRegionCow(as, USER_HEAP_BASE, USER_HEAP_BASE + 2 * 4096);
    expect(sys.vmm.isPageWritable(as, USER_HEAP_BASE)).toBe(false);
    write32(sys, USER_HEAP_BASE, 3);
    expect(sys.vmm.stat.pgreuse).toBe(1);
    expect(read32(sys, USER_HEAP_BASE)).toBe(3);
    expect(read32(sys, USER_HEAP_BASE + 4096)).toBe(2);
    expectHealthy(sys);
  });
});

describe("faults reported twice", () => {
  it("resolve as spurious when the page is already there, and still break COW on a write", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    write32(sys, USER_STACK_TOP - 4, 1);
    const notPresentRead = 4; // U, read, not present
    expect(sys.vmm.handlePageFault(notPresentRead, USER_STACK_TOP - 4)).toEqual({ kind: "resolved", how: "spurious" });
    sys.vmm.cloneAddressSpace(as);
    expect(sys.vmm.handlePageFault(notPresentRead | 2, USER_STACK_TOP - 4)).toEqual({ kind: "resolved", how: "cow" });
    expect(sys.vmm.isPageWritable(as, USER_STACK_TOP - 4)).toBe(true);
    expectHealthy(sys);
  });
});

describe("reservePhysRange", () => {
  it("keeps free frames of the range out of every later allocation", () => {
    const sys = bootTestSystem({ ramBytes: 2 * MIB, swapBytes: null });
    expect(sys.vmm.reservePhysRange(0x1c0000, 0x1c8001)).toBe(9);
    for (let va = sys.vmm.kmallocPage(); va !== 0; va = sys.vmm.kmallocPage()) {
      const pa = va - KERNEL_BASE;
      expect(pa >= 0x1c0000 && pa < 0x1c9000).toBe(false);
    }
  });
});

describe("a destroyed address space", () => {
  it("can no longer be cloned, grown, mapped or read through", () => {
    const sys = bootTestSystem();
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    write32(sys, USER_STACK_TOP - 4, 1);
    sys.vmm.destroyAddressSpace(as);
    sys.vmm.destroyAddressSpace(as);
    expect(sys.vmm.cloneAddressSpace(as)).toBeNull();
    expect(sys.vmm.brk(as, USER_HEAP_BASE + 4096)).toBe(false);
    expect(sys.vmm.mmap(as, USER_SHARED_BASE, 4096, PROT.READ)).toBe(false);
    expect(sys.vmm.munmap(as, USER_SHARED_BASE, 4096)).toBe(false);
    expect(sys.vmm.isPagePresent(as, USER_STACK_TOP - 4)).toBe(false);
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.current).toBe(sys.vmm.kernelSpace);
    expectHealthy(sys);
  });
});
