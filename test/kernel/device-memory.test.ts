/**
 * mapPage, the seed's vmm_map_page for memory the kernel does not manage:
 * the framebuffer or a reserved range mapped into a process, invalidated
 * only when a present entry of the active space changes, shared by fork,
 * and never counted, evicted or freed; frames the allocator manages are
 * refused.
 */

import { describe, expect, it } from "vitest";
import { PTE } from "../../src/machine/i386.js";
import { KERNEL_BASE, USER_HEAP_BASE, USER_SHARED_BASE } from "../../src/kernel/layout.js";
import { type TestSystem, bootTestSystem, expectHealthy, read32, write32 } from "./helpers.js";

const FB = { addr: 0xe0000000, width: 640, height: 480, pitch: 2560, bpp: 32 };
const VA = USER_SHARED_BASE;
const USER_RW = PTE.USER | PTE.RW;

function withFramebuffer(): TestSystem {
  return bootTestSystem({ framebuffer: FB });
}

function spawn(sys: TestSystem) {
  const as = sys.vmm.createAddressSpace()!;
  sys.vmm.switchAddressSpace(as);
  return as;
}

describe("mapPage", () => {
  it("maps the framebuffer into a process: its stores reach the device, and nothing is counted as its memory", () => {
    const sys = withFramebuffer();
    const as = spawn(sys);
    const free = sys.vmm.freeFrames;
    const invalidations = sys.vmm.tlbControl.pageInvalidations;
    expect(sys.vmm.mapPage(as, VA + 0x10, FB.addr + 0x1000, USER_RW | PTE.PCD | PTE.PWT)).toBe(true);
    expect(sys.vmm.tlbControl.pageInvalidations).toBe(invalidations); // the entry was not present: nothing cached
    expect(sys.vmm.entryOf(as, VA)).toBe((FB.addr + 0x1000) | PTE.PRESENT | USER_RW | PTE.PCD | PTE.PWT);
    expect(sys.machine.memory.read32(as.pdPhys + (VA >>> 22) * 4) & PTE.USER).toBe(PTE.USER);
    write32(sys, VA + 8, 0x00ff00ff);
    expect(sys.machine.memory.read32(FB.addr + 0x1008)).toBe(0x00ff00ff);
    expect(sys.vmm.freeFrames).toBe(free - 1); // the page table only
    expect(as.rss).toBe(0);
    expect(sys.vmm.residentUserPages).toBe(0);
    expectHealthy(sys);
  });

  it("invalidates only when it changes a present entry of the active space", () => {
    const sys = withFramebuffer();
    const a = spawn(sys);
    const b = sys.vmm.createAddressSpace()!;
    expect(sys.vmm.mapPage(a, VA, FB.addr, PTE.USER)).toBe(true);
    expect(sys.vmm.mapPage(b, VA, FB.addr, PTE.USER)).toBe(true);
    expect(read32(sys, VA)).toBe(0); // a's TLB now holds the page read-only
    const before = sys.vmm.tlbControl.pageInvalidations;
    expect(sys.vmm.mapPage(b, VA, FB.addr, USER_RW)).toBe(true); // present, but b is not active
    expect(sys.vmm.tlbControl.pageInvalidations).toBe(before);
    expect(sys.vmm.mapPage(a, VA, FB.addr, USER_RW)).toBe(true); // present and active
    expect(sys.vmm.tlbControl.pageInvalidations).toBe(before + 1);
    write32(sys, VA, 7); // strict mode: no stale read-only entry served it
    sys.vmm.switchAddressSpace(b);
    expect(read32(sys, VA)).toBe(7);
    expectHealthy(sys);
  });

  it("is shared as it is by fork, and munmap and exit free nothing", () => {
    const sys = withFramebuffer();
    const baseline = sys.vmm.freeFrames;
    const parent = spawn(sys);
    expect(sys.vmm.mapPage(parent, VA, FB.addr, USER_RW)).toBe(true);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    expect(sys.vmm.entryOf(child, VA)).toBe(sys.vmm.entryOf(parent, VA)); // still writable: device memory is not copied
    sys.vmm.switchAddressSpace(child);
    write32(sys, VA, 0x1234);
    sys.vmm.switchAddressSpace(parent);
    expect(read32(sys, VA)).toBe(0x1234);
    expect(sys.vmm.munmap(child, VA, 4096)).toBe(true);
    expect(sys.vmm.entryOf(child, VA)).toBe(0);
    sys.vmm.destroyAddressSpace(child);
    sys.vmm.destroyAddressSpace(parent);
    expect(sys.vmm.freeFrames).toBe(baseline);
    expect(sys.machine.memory.read32(FB.addr)).toBe(0x1234);
    expectHealthy(sys);
  });

  it("maps a reserved range of RAM, and replaces a page of the process as munmap would", () => {
    const sys = bootTestSystem();
    expect(sys.vmm.reservePhysRange(0x200000, 0x201000)).toBe(1);
    const as = spawn(sys);
    expect(sys.vmm.brk(as, USER_HEAP_BASE + 4096)).toBe(true);
    write32(sys, USER_HEAP_BASE, 1);
    const free = sys.vmm.freeFrames;
    expect(sys.vmm.mapPage(as, USER_HEAP_BASE, 0x200000, USER_RW)).toBe(true);
    expect(sys.vmm.freeFrames).toBe(free + 1); // the heap page it replaced
    expect(as.rss).toBe(0);
    write32(sys, USER_HEAP_BASE + 4, 0xbeef);
    expect(sys.machine.memory.read32(0x200004)).toBe(0xbeef);
    expectHealthy(sys);
  });

  it("refuses the frames the allocator manages, the kernel's space and the kernel half, changing nothing", () => {
    const sys = withFramebuffer();
    const as = spawn(sys);
    expect(sys.vmm.brk(as, USER_HEAP_BASE + 4096)).toBe(true);
    write32(sys, USER_HEAP_BASE, 1);
    const userFrame = sys.vmm.virtToPhys(as, USER_HEAP_BASE);
    const kernelPage = sys.vmm.kmallocPage() - KERNEL_BASE;
    const freeFrame = sys.vmm.kmallocPage() - KERNEL_BASE;
    sys.vmm.kfreePage(KERNEL_BASE + freeFrame);
    for (const pa of [userFrame, kernelPage, freeFrame, as.pdPhys, sys.vmm.kernelSpace.pdPhys]) {
      expect(sys.vmm.mapPage(as, VA, pa, USER_RW), `frame at 0x${pa.toString(16)}`).toBe(false);
    }
    expect(sys.vmm.mapPage(sys.vmm.kernelSpace, VA, FB.addr, USER_RW)).toBe(false);
    expect(sys.vmm.mapPage(as, KERNEL_BASE + 0x10000000, FB.addr, USER_RW)).toBe(false);
    expect(sys.vmm.entryOf(as, VA)).toBe(0);
    expect(sys.vmm.entryOf(sys.vmm.kernelSpace, VA)).toBe(0);
    expectHealthy(sys);
  });
});
