import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_KERNEL_IMAGE,
  MachineConfigError,
  type MachineDescription,
  createMachine,
  machineMemoryMap,
} from "../../src/machine/machine.js";
import { MemoryConfigError } from "../../src/machine/physical-memory.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import { BootInfoError, MULTIBOOT_INFO, readMultibootInfo } from "../../src/machine/multiboot.js";

const MIB = 1024 * 1024;
const FB = { addr: 0xfd000000, width: 800, height: 600, pitch: 3200, bpp: 32 };

/** Runs `body` with the path of a 14-byte module file, removed afterwards. */
function withModuleFile(body: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-mod-"));
  try {
    const file = path.join(dir, "initrd.bin");
    fs.writeFileSync(file, Buffer.from("EYN-OS ramdisk"));
    body(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("createMachine", () => {
  it("builds RAM, the CPU model's MMU and the boot information a kernel reads at bootInfoAddress", () => {
    const m = createMachine({ ramBytes: 16 * MIB, cpu: "pentium", commandLine: "quiet" });
    expect(m.memory.ramBytes).toBe(16 * MIB);
    expect(m.cpu.name).toBe("pentium");
    expect(m.mmu.model).toBe(m.cpu);
    expect(m.mmu.memory).toBe(m.memory);
    expect(m.kernelImage).toEqual(DEFAULT_KERNEL_IMAGE);
    expect(m.disk).toBeNull();
    expect(m.framebuffer).toBeNull();
    const info = readMultibootInfo(m.memory, m.bootInfoAddress);
    expect(info).toEqual(m.bootInfo);
    expect(info.memUpper).toBe(15 * 1024);
    expect(info.cmdline?.text).toBe("quiet");
    expect(machineMemoryMap(m)).toEqual([
      { base: 0, length: 0x9fc00, type: 1 },
      { base: 0x9fc00, length: 0x60400, type: 2 },
      { base: MIB, length: 15 * MIB, type: 1 },
      { base: 0xfffc0000, length: 0x40000, type: 2 },
    ]);
  });

  it("costs the host only the frames the boot information touched", () => {
    const m = createMachine({ ramBytes: 3 * 1024 * MIB, cpu: "p6" });
    expect(m.memory.backedFrames).toBe(1);
  });

  it("registers the framebuffer as a device range that decodes like memory above RAM", () => {
    const m = createMachine({ ramBytes: 32 * MIB, cpu: "i486", framebuffer: FB });
    expect(m.framebuffer).toEqual({ name: "framebuffer", base: 0xfd000000, size: Math.ceil((3200 * 600) / 4096) * 4096 });
    m.memory.write32(0xfd000000 + 3196, 0x00ff8800);
    expect(m.memory.read32(0xfd000000 + 3196)).toBe(0x00ff8800);
    expect(m.bootInfo.flags & MULTIBOOT_INFO.FRAMEBUFFER_INFO).not.toBe(0);
    expect(m.bootInfo.framebuffer).toMatchObject({ addr: 0xfd000000, pitch: 3200, width: 800, height: 600, bpp: 32, type: 1 });
  });

  it("passes the TLB shape and strict mode to the MMU", () => {
    const off = createMachine({ ramBytes: 4 * MIB, cpu: "i386", tlb: "off" });
    expect(off.mmu.tlb.geometry.entries).toBe(0);
    const big = createMachine({ ramBytes: 4 * MIB, cpu: "i486", tlb: { entries: 128, ways: 8 } });
    expect(big.mmu.tlb.geometry).toMatchObject({ entries: 128, ways: 8 });
    const preset = createMachine({ ramBytes: 4 * MIB, cpu: "pentium" });
    expect(preset.mmu.tlb.geometry).toMatchObject({ entries: 64, ways: 4, largeEntries: 8 });
    const strict = createMachine({ ramBytes: 4 * MIB, cpu: "i486", strictTlb: true });
    expect(strict.mmu.tlb.mirror).toBe(false);
  });

  it("attaches the disk it is given", () => {
    const disk = new MemoryBlockDevice(4096);
    expect(createMachine({ ramBytes: 4 * MIB, cpu: "i486", disk }).disk).toBe(disk);
  });

  it("loads modules from files above the kernel image", () => {
    withModuleFile((file) => {
      const m = createMachine({ ramBytes: 8 * MIB, cpu: "i486", modules: [{ path: file, cmdline: "initrd" }, { name: "blob", data: new Uint8Array([1, 2, 3]) }] });
      expect(m.bootInfo.mods?.modules.map((x) => [x.start, x.end, x.cmdline])).toEqual([
        [0x180000, 0x180000 + 14, "initrd"],
        [0x181000, 0x181003, "blob"],
      ]);
      const text = new Uint8Array(14);
      m.memory.readBytes(0x180000, text);
      expect(Buffer.from(text).toString()).toBe("EYN-OS ramdisk");
    });
  });

  it("loads a file module at the address asked for", () => {
    withModuleFile((file) => {
      const m = createMachine({ ramBytes: 8 * MIB, cpu: "i486", modules: [{ path: file, address: 0x400000 }] });
      expect(m.bootInfo.mods?.modules.map((x) => [x.start, x.end, x.cmdline])).toEqual([[0x400000, 0x400000 + 14, file]]);
    });
  });

  it("refuses a file module's bad address in one line naming the file", () => {
    withModuleFile((file) => {
      const load = (address: number) => () => createMachine({ ramBytes: 8 * MIB, cpu: "i486", modules: [{ path: file, address }] });
      expect(load(-4096)).toThrow(new BootInfoError(`module "${file}": address -4096 is negative`));
      expect(load(0xa0000)).toThrow(`module "${file}": address 0x000a0000 is below 1 MiB`);
      expect(load(0x400010)).toThrow(`module "${file}": address 0x00400010 is not on a 4 KiB page boundary`);
    });
  });

  it("refuses a module file it cannot read in one line naming the file", () => {
    const missing = path.join(os.tmpdir(), "vmm386-no-such-module.bin");
    expect(() => createMachine({ ramBytes: 8 * MIB, cpu: "i486", modules: [{ path: missing }] })).toThrow(
      new BootInfoError(`module "${missing}": no such file`),
    );
  });

  it("lists extra reserved ranges in the memory map", () => {
    const m = createMachine({ ramBytes: 16 * MIB, cpu: "i486", reservedRanges: [{ base: 0x800000, length: 0x100000, name: "ACPI", type: 3 }] });
    expect(machineMemoryMap(m)).toContainEqual({ base: 0x800000, length: 0x100000, type: 3 });
    expect(m.bootInfo.memUpper).toBe(7 * 1024);
  });
});

describe("createMachine refuses a bad description with one line naming the field", () => {
  const base: MachineDescription = { ramBytes: 16 * MIB, cpu: "i486" };
  const cases: [string, MachineDescription, RegExp][] = [
    ["RAM not in 4 KiB steps", { ...base, ramBytes: 16 * MIB + 100 }, /not a multiple of 4 KiB/],
    ["RAM above 3 GiB", { ...base, ramBytes: 4 * 1024 * MIB }, /outside 1 MiB\.\.3 GiB/],
    ["an unknown CPU", { ...base, cpu: "z80" as "i386" }, /cpu "z80" is not one of/],
    ["a kernel larger than RAM", { ...base, ramBytes: MIB }, /kernel image .* does not fit in 1024 KiB of RAM/],
    ["a kernel below 1 MiB", { ...base, kernel: { textStart: 0x8000, textEnd: 0x9000, end: 0xa000 } }, /at or above 1 MiB/],
    ["kernel bounds out of order", { ...base, kernel: { textStart: 0x100000, textEnd: 0x200000, end: 0x180000 } }, /textStart < textEnd <= end/],
    ["a framebuffer over RAM", { ...base, framebuffer: { ...FB, addr: 0x800000 } }, /framebuffer at 0x00800000: .* overlaps RAM/],
    ["a framebuffer past 4 GiB", { ...base, framebuffer: { ...FB, addr: 0xfff00000 } }, /passes 4 GiB/],
    [
      "a framebuffer over the BIOS ROM",
      { ...base, framebuffer: { ...FB, width: 64, height: 512, pitch: 256, addr: 0xfffb0000 } },
      /framebuffer at 0xfffb0000: 0xfffb0000\.\.0xfffcffff overlaps the BIOS ROM \(0xfffc0000\.\.0xffffffff\)/,
    ],
    ["a framebuffer pitch shorter than a line", { ...base, framebuffer: { ...FB, pitch: 100 } }, /pitch 100 is less than a line \(3200 bytes\)/],
    ["a framebuffer depth", { ...base, framebuffer: { ...FB, bpp: 12 } }, /bpp 12/],
    ["an EGA text framebuffer of other than 16 bpp", { ...base, framebuffer: { ...FB, type: "text", bpp: 32 } }, /framebuffer at 0xfd000000: bpp 32 is not 16, the only depth of an EGA text framebuffer/],
    ["an unaligned framebuffer", { ...base, framebuffer: { ...FB, addr: 0xfd000010 } }, /4 KiB aligned/],
    ["a reserved range over the kernel", { ...base, reservedRanges: [{ base: 0x120000, length: 0x1000 }] }, /reservedRanges\[0\]: .* overlaps the kernel image/],
    ["overlapping reserved ranges", { ...base, reservedRanges: [{ base: 0x400000, length: 0x2000 }, { base: 0x401000, length: 0x1000 }] }, /reservedRanges\[1\]: .* overlaps reservedRanges\[0\]/],
    ["a reserved range over VGA memory", { ...base, reservedRanges: [{ base: 0xa0000, length: 0x1000 }] }, /reservedRanges\[0\]: 0x000a0000\.\.0x000a0fff overlaps the EBDA, VGA and BIOS area \(0x0009fc00\.\.0x000fffff\)/],
    ["a reserved range over the BIOS ROM", { ...base, reservedRanges: [{ base: 0xfff00000, length: 0x100000, name: "MMIO" }] }, /reservedRanges\[0\] \(MMIO\): .* overlaps the BIOS ROM \(0xfffc0000\.\.0xffffffff\)/],
    ["an empty reserved range", { ...base, reservedRanges: [{ base: 0x400000, length: 0 }] }, /length > 0/],
    ["a TLB shape", { ...base, tlb: { entries: 24, ways: 3 } }, /tlb: ways must be a power of two/],
    ["a module past RAM", { ...base, modules: [{ name: "huge", data: new Uint8Array(16 * MIB) }] }, /module "huge" \(16777216 bytes\) does not fit in the free RAM from 0x00180000 \(RAM ends at 0x01000000, 16384 KiB\)/],
  ];
  for (const [what, desc, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => createMachine(desc)).toThrow(MemoryConfigError);
      expect(() => createMachine(desc)).toThrow(message);
    });
  }

  it("uses MachineConfigError and BootInfoError, both MemoryConfigErrors the CLI reports in one line", () => {
    expect(() => createMachine({ ...base, framebuffer: { ...FB, addr: 0 } })).toThrow(MachineConfigError);
    expect(() => createMachine({ ...base, modules: [{ name: "m", data: new Uint8Array(1), address: 0x100000 }] })).toThrow(BootInfoError);
  });
});
