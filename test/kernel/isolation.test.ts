/**
 * Isolation: what one process may see of another's memory, or of the kernel.
 */

import { describe, expect, it } from "vitest";
import { ACCESS } from "../../src/machine/i386.js";
import { KERNEL_BASE, USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { PROT } from "../../src/kernel/vmm.js";
import { type TestSystem, bootTestSystem, copyOut, expectHealthy, failingAccess, read32, touch, write32 } from "./helpers.js";

const HEAP = USER_HEAP_BASE;

function spawn(sys: TestSystem, heapPages = 0) {
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  if (heapPages > 0) expect(sys.vmm.brk(as, HEAP + heapPages * 4096)).toBe(true);
  return as;
}

/** Every byte of the page at `va` of the current space is zero. */
function pageIsZero(sys: TestSystem, va: number): boolean {
  const pfn = touch(sys, va, ACCESS.USER_READ);
  if (typeof pfn !== "number") throw new Error(pfn.reason);
  return sys.machine.memory.frameIsZero(pfn);
}

describe("a page a process receives is zero-filled", () => {
  it("whatever a dead process left in the frame", () => {
    const sys = bootTestSystem({ swapBytes: null });
    const a = spawn(sys, 200);
    for (let i = 0; i < 200; i++) for (let off = 0; off < 4096; off += 512) write32(sys, HEAP + i * 4096 + off, 0x5a5a5a5a);
    sys.vmm.destroyAddressSpace(a);
    spawn(sys, 200);
    for (let i = 0; i < 200; i++) expect(pageIsZero(sys, HEAP + i * 4096)).toBe(true);
    expectHealthy(sys);
  });

  it("whatever the kernel left in a freed kernel page", () => {
    const sys = bootTestSystem({ ramBytes: 2 * 1024 * 1024, swapBytes: null });
    const pages: number[] = [];
    for (let va = sys.vmm.kmallocPage(); va !== 0; va = sys.vmm.kmallocPage()) {
      sys.machine.memory.write32(va - KERNEL_BASE, 0x77777777);
      pages.push(va);
    }
    for (const va of pages.slice(0, 20)) sys.vmm.kfreePage(va);
    spawn(sys);
    for (let i = 0; i < 10; i++) expect(pageIsZero(sys, USER_STACK_TOP - (i + 1) * 4096)).toBe(true);
  });

  it("whatever a swap slot held before (stack, heap and mmap pages all start empty)", () => {
    const sys = bootTestSystem({ userFrameLimit: 8 });
    const a = spawn(sys, 30);
    for (let i = 0; i < 30; i++) write32(sys, HEAP + i * 4096, 0xfeedf00d);
    sys.vmm.destroyAddressSpace(a);
    const b = spawn(sys, 30);
    expect(sys.vmm.mmap(b, USER_SHARED_BASE, 30 * 4096, PROT.READ | PROT.WRITE)).toBe(true);
    for (let i = 0; i < 30; i++) {
      expect(pageIsZero(sys, HEAP + i * 4096)).toBe(true);
      expect(pageIsZero(sys, USER_SHARED_BASE + i * 4096)).toBe(true);
      expect(pageIsZero(sys, USER_STACK_TOP - (i + 1) * 4096)).toBe(true);
    }
    expectHealthy(sys);
  });
});

describe("no process reads another's data", () => {
  it("after fork and COW: a forked child's write leaves the parent's page unchanged, and back", () => {
    const sys = bootTestSystem();
    const parent = spawn(sys, 4);
    for (let i = 0; i < 4; i++) write32(sys, HEAP + i * 4096, 100 + i);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    sys.vmm.switchAddressSpace(child);
    write32(sys, HEAP, 999);
    sys.vmm.switchAddressSpace(parent);
    expect(read32(sys, HEAP)).toBe(100);
    write32(sys, HEAP + 4096, 888);
    sys.vmm.switchAddressSpace(child);
    expect(read32(sys, HEAP + 4096)).toBe(101);
    expect(read32(sys, HEAP)).toBe(999);
    expectHealthy(sys);
  });

  it("after swap: pages come back to their own space only", () => {
    const sys = bootTestSystem({ userFrameLimit: 6 });
    const a = spawn(sys, 10);
    for (let i = 0; i < 10; i++) write32(sys, HEAP + i * 4096, 0xa0 + i);
    const b = spawn(sys, 10);
    for (let i = 0; i < 10; i++) write32(sys, HEAP + i * 4096, 0xb0 + i);
    for (let round = 0; round < 2; round++) {
      sys.vmm.switchAddressSpace(a);
      for (let i = 0; i < 10; i++) expect(read32(sys, HEAP + i * 4096)).toBe(0xa0 + i);
      sys.vmm.switchAddressSpace(b);
      for (let i = 0; i < 10; i++) expect(read32(sys, HEAP + i * 4096)).toBe(0xb0 + i);
    }
    expectHealthy(sys);
  });
});

describe("user accesses outside the user's own mappings fault", () => {
  it("kernel space, for reads and writes", () => {
    const sys = bootTestSystem();
    spawn(sys);
    expect(failingAccess(sys, KERNEL_BASE + 0x100000, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
    expect(failingAccess(sys, KERNEL_BASE + 0x200000, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    expect(failingAccess(sys, 0xfffff000, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
    expect(sys.vmm.faults.segv).toBe(3);
  });

  it("unmapped areas, the null page and the heap above the break", () => {
    const sys = bootTestSystem();
    spawn(sys, 1);
    expect(failingAccess(sys, 0, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
    expect(failingAccess(sys, 0x00400000, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
    expect(failingAccess(sys, HEAP + 4096, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    expect(failingAccess(sys, USER_SHARED_BASE, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
  });

  it("stack growth never maps below 0xB0000000", () => {
    const sys = bootTestSystem();
    const as = spawn(sys);
    write32(sys, USER_STACK_BASE, 1);
    expect(failingAccess(sys, USER_STACK_BASE - 4, ACCESS.USER_WRITE)).toMatchObject({ kind: "segv" });
    expect(sys.vmm.isPagePresent(as, USER_STACK_BASE - 4096)).toBe(false);
    expect(as.stackBottom).toBe(USER_STACK_BASE);
  });
});

describe("copy-out is refused outside writable user memory", () => {
  it("refuses kernel addresses, unmapped areas and read-only pages", () => {
    const sys = bootTestSystem();
    const as = spawn(sys, 1);
    expect(copyOut(sys, KERNEL_BASE + 0x200000, new Uint8Array(4))).toBe(false);
    expect(copyOut(sys, USER_STACK_TOP - 2, new Uint8Array(4))).toBe(false);
    expect(copyOut(sys, 0x1000, new Uint8Array(4))).toBe(false);
    expect(copyOut(sys, HEAP + 4096, new Uint8Array(4))).toBe(false);
    expect(sys.vmm.mmap(as, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
    expect(copyOut(sys, USER_SHARED_BASE, new Uint8Array(4))).toBe(false);
    expect(copyOut(sys, HEAP + 4090, new Uint8Array(6))).toBe(true);
    expectHealthy(sys);
  });
});
