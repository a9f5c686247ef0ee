/**
 * Boot as vmm_init does it, from the multiboot information in memory.
 */

import { describe, expect, it } from "vitest";
import { ACCESS, CR0, PTE } from "../../src/machine/i386.js";
import { createMachine } from "../../src/machine/machine.js";
import { MULTIBOOT_INFO } from "../../src/machine/multiboot.js";
import { KERNEL_BASE, USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { Vmm } from "../../src/kernel/vmm.js";
import { MIB, bootTestSystem, expectHealthy, failingAccess, write32 } from "./helpers.js";

describe("boot", () => {
  it("sizes the allocator from detected RAM, capped by maxTrackedRamBytes", () => {
    expect(bootTestSystem({ ramBytes: 64 * MIB }).vmm.totalFrames).toBe(16384);
    const capped = bootTestSystem({ ramBytes: 256 * MIB, maxTrackedRamBytes: 128 * MIB });
    expect(capped.vmm.totalFrames).toBe(32768);
    expectHealthy(capped);
  });

  it("honours the memory map's reserved regions", () => {
    const hole = { base: 0x300000, length: 0x20000 };
    const sys = bootTestSystem({ ramBytes: 4 * MIB, reservedRanges: [hole], swapBytes: null });
    for (let va = sys.vmm.kmallocPage(); va !== 0; va = sys.vmm.kmallocPage()) {
      const pa = va - KERNEL_BASE;
      expect(pa >= hole.base && pa < hole.base + hole.length).toBe(false);
    }
  });

  it("reads the PC memory map from the boot information and never allocates a frame that is not available RAM", () => {
    const sys = bootTestSystem({ ramBytes: 4 * MIB, reservedRanges: [{ base: 0x280000, length: 0x1800 }], swapBytes: null });
    const boot = sys.vmm.boot;
    expect(boot.info.memoryMap).toEqual([
      { base: 0, length: 0x9fc00, type: 1 },
      { base: 0x9fc00, length: 0x60400, type: 2 },
      { base: 0x100000, length: 0x180000, type: 1 },
      { base: 0x280000, length: 0x1800, type: 2 },
      { base: 0x281800, length: 0x17e800, type: 1 },
      { base: 0xfffc0000, length: 0x40000, type: 2 },
    ]);
    expect(boot.detectedRamBytes).toBe(4 * MIB);
    const reserved = boot.info.memoryMap!.filter((r) => r.type !== 1);
    const inReserved = (pfn: number): boolean => reserved.some((r) => pfn * 4096 < r.base + r.length && r.base < (pfn + 1) * 4096);
    for (let pfn = 0; pfn < sys.vmm.totalFrames; pfn++) if (inReserved(pfn)) expect(boot.frames.isUsed(pfn), `frame ${pfn}`).toBe(true);
    for (let va = sys.vmm.kmallocPage(); va !== 0; va = sys.vmm.kmallocPage()) {
      const pfn = (va - KERNEL_BASE) / 4096;
      expect(pfn >= 256 && !inReserved(pfn), `frame ${pfn}`).toBe(true);
    }
  });

  it("reserves modules and places its own tables above them, leaving module bytes intact", () => {
    const data = new Uint8Array(10000).map((_, i) => (i * 31) & 0xff);
    const sys = bootTestSystem({ ramBytes: 4 * MIB, modules: [{ name: "initrd", data }], swapBytes: null });
    const mod = sys.machine.bootInfo.mods!.modules[0];
    expect(sys.vmm.boot.bootAlloc.start).toBeGreaterThanOrEqual(mod.end);
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    sys.vmm.brk(as, USER_HEAP_BASE + 400 * 4096);
    for (let i = 0; i < 400; i++) write32(sys, USER_HEAP_BASE + i * 4096, -1);
    const back = new Uint8Array(data.length);
    sys.machine.memory.readBytes(mod.start, back);
    expect(back).toEqual(data);
  });

  it("maps the framebuffer uncached for the kernel only, in every space", () => {
    const fb = { addr: 0xe0000000, width: 1024, height: 768, pitch: 4096, bpp: 32 };
    const sys = bootTestSystem({ framebuffer: fb });
    const entry = sys.vmm.entryOf(sys.vmm.kernelSpace, fb.addr + 0x1000);
    expect(entry & (PTE.PRESENT | PTE.PCD | PTE.PWT | PTE.USER)).toBe(PTE.PRESENT | PTE.PCD | PTE.PWT);
    expect((entry & ~0xfff) >>> 0).toBe(fb.addr + 0x1000);
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    expect(sys.vmm.virtToPhys(as, fb.addr + 0x2004)).toBe(fb.addr + 0x2004);
    expect(failingAccess(sys, fb.addr, ACCESS.USER_READ)).toMatchObject({ kind: "segv" });
  });

  it("never maps the framebuffer over the recursive slot 1023", () => {
    const fb = { addr: 0xffc00000, width: 640, height: 480, pitch: 2560, bpp: 32 };
    const sys = bootTestSystem({ framebuffer: fb });
    const pd = sys.vmm.kernelSpace.pdPhys;
    expect((sys.machine.memory.read32(pd + 1023 * 4) & ~0xfff) >>> 0).toBe(pd);
    expect(sys.vmm.boot.warnings.join()).toMatch(/recursive/);
  });

  it("maps the framebuffer whose fields are filled though the flag is clear, as the seed does", () => {
    const fb = { addr: 0xe0000000, width: 640, height: 480, pitch: 2560, bpp: 32 };
    const machine = createMachine({ ramBytes: 4 * MIB, cpu: "i486", framebuffer: fb });
    const flags = machine.memory.read32(machine.bootInfoAddress);
    machine.memory.write32(machine.bootInfoAddress, flags & ~MULTIBOOT_INFO.FRAMEBUFFER_INFO);
    const vmm = Vmm.boot(machine, { checkInvariants: true });
    expect(vmm.entryOf(vmm.kernelSpace, fb.addr) & (PTE.PRESENT | PTE.PCD)).toBe(PTE.PRESENT | PTE.PCD);
  });

  it("leaves a framebuffer above 4 GiB unmapped with a warning (the seed truncated its address)", () => {
    const fb = { addr: 0xe0000000, width: 640, height: 480, pitch: 2560, bpp: 32 };
    const machine = createMachine({ ramBytes: 4 * MIB, cpu: "i486", framebuffer: fb });
    machine.memory.write32(machine.bootInfoAddress + 92, 1); // framebuffer_addr = 0x1_e000_0000
    const vmm = Vmm.boot(machine, { checkInvariants: true });
    expect(vmm.isPagePresent(vmm.kernelSpace, fb.addr)).toBe(false);
    expect(vmm.boot.warnings).toEqual(["framebuffer at 0x1e0000000 is above 4 GiB, out of a 32-bit kernel's reach: not mapped"]);
  });

  it("maps the slots of a framebuffer below 1023 when it reaches the recursive slot (the seed's 32-bit end wrapped and mapped none)", () => {
    const fb = { addr: 0xff800000, width: 1280, height: 1024, pitch: 5120, bpp: 32 }; // 5 MiB: slots 1022 and 1023
    const sys = bootTestSystem({ framebuffer: fb });
    expect((sys.vmm.entryOf(sys.vmm.kernelSpace, fb.addr + 0x3ff000) & ~0xfff) >>> 0).toBe(fb.addr + 0x3ff000);
    expect(sys.vmm.boot.warnings).toEqual(["framebuffer overlaps the recursive directory slot 1023: that part is not mapped"]);
  });

  it("leaves CR0.WP clear on an 80386, which has none, and sets it on a 486", () => {
    expect(bootTestSystem({ cpu: "i386" }).machine.mmu.cr0 & CR0.WP).toBe(0);
    expect(bootTestSystem({ cpu: "i486" }).machine.mmu.cr0 & CR0.WP).not.toBe(0);
  });

  it("boots the smallest machine that holds the kernel, and runs a process in what is left", () => {
    const kernel = { textStart: 0x100000, textEnd: 0x104000, end: 0x106000 };
    const sys = bootTestSystem({ ramBytes: MIB + 128 * 1024, kernel, swapBytes: null });
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    sys.vmm.brk(as, USER_HEAP_BASE + 4 * 4096);
    for (let i = 0; i < 4; i++) write32(sys, USER_HEAP_BASE + i * 4096, i);
    expectHealthy(sys);
  });

  it("boots 3 GiB: the alias stops at 254 slots and RAM above it serves user pages only", () => {
    const sys = bootTestSystem({ ramBytes: 3 * 1024 * MIB, checkInvariants: false, swapBytes: null });
    expect(sys.vmm.totalFrames).toBe(786432);
    expect(sys.vmm.boot.aliasFrames).toBe(254 * 1024);
    expect(sys.vmm.virtToPhys(sys.vmm.kernelSpace, KERNEL_BASE + 1015 * MIB)).toBe(1015 * MIB);
    expect(sys.vmm.isPagePresent(sys.vmm.kernelSpace, KERNEL_BASE + 1016 * MIB)).toBe(false);
    const as = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(as);
    sys.vmm.brk(as, USER_HEAP_BASE + 8 * 4096);
    write32(sys, USER_HEAP_BASE, 1); // the heap's page table exists now
    let kernelPages = 0;
    let highest = 0;
    for (let va = sys.vmm.kmallocPage(); va !== 0; va = sys.vmm.kmallocPage()) {
      highest = Math.max(highest, va - KERNEL_BASE);
      kernelPages++;
    }
    // Every kernel page lies below the alias's end (one check over all: an expect per page cost seconds).
    expect(highest).toBeLessThan(1016 * MIB);
    expect(kernelPages).toBeGreaterThan(250000);
    write32(sys, USER_HEAP_BASE + 4096, 2);
    expect(sys.vmm.virtToPhys(as, USER_HEAP_BASE + 4096)).toBeGreaterThanOrEqual(1016 * MIB);
    expect(sys.vmm.checkInvariants()).toEqual([]);
  });
});
