import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../src/machine/physical-memory.js";
import {
  BootInfoError,
  MULTIBOOT_INFO,
  type BootInfoSpec,
  readMultibootInfo,
  writeMultibootInfo,
} from "../../src/machine/multiboot.js";
import { describeRange, hexAddress, lowerUpperKiB, pcMemoryMap } from "../../src/machine/memory-map.js";

const MIB = 1024 * 1024;
const KERNEL = { textStart: 0x100000, textEnd: 0x140000, end: 0x180000 };

function boot(spec: Partial<BootInfoSpec> = {}): { memory: PhysicalMemory; address: number } {
  const ramBytes = spec.ramBytes ?? 64 * MIB;
  const memory = new PhysicalMemory(ramBytes);
  const { address } = writeMultibootInfo(memory, { ramBytes, kernel: KERNEL, ...spec });
  return { memory, address };
}

const u32 = (m: PhysicalMemory, pa: number): number => m.read32(pa) >>> 0;

function cString(m: PhysicalMemory, pa: number): string {
  let s = "";
  for (let b = m.read8(pa); b !== 0; b = m.read8(++pa)) s += String.fromCharCode(b);
  return s;
}

describe("the multiboot information is byte-exact at the spec's offsets", () => {
  const initrd = new Uint8Array(10_000).map((_, i) => (i * 13) & 0xff);
  const { memory, address } = boot({
    commandLine: "root=/dev/hda1 swap=on",
    modules: [{ name: "/boot/initrd", data: initrd, cmdline: "/boot/initrd ro" }],
    framebuffer: { addr: 0xfd000000, width: 1024, height: 768, pitch: 4096, bpp: 32 },
  });

  it("lies in low memory, as GRUB leaves it", () => {
    expect(address).toBe(0x9000);
  });

  it("sets exactly the flag bits of the fields present", () => {
    const { MEMORY, CMDLINE, MODS, MEM_MAP, BOOT_LOADER_NAME, FRAMEBUFFER_INFO } = MULTIBOOT_INFO;
    expect(u32(memory, address)).toBe(MEMORY | CMDLINE | MODS | MEM_MAP | BOOT_LOADER_NAME | FRAMEBUFFER_INFO);
    const bare = boot();
    expect(u32(bare.memory, bare.address)).toBe(MEMORY | MEM_MAP | BOOT_LOADER_NAME);
  });

  it("gives mem_lower 639 KiB below the EBDA and mem_upper the KiB from 1 MiB to the end of RAM", () => {
    expect(u32(memory, address + 4)).toBe(639);
    expect(u32(memory, address + 8)).toBe(63 * 1024);
  });

  it("lays out the memory map as 24-byte (size, base_addr, length, type) entries with the PC holes", () => {
    const length = u32(memory, address + 44);
    const at = u32(memory, address + 48);
    expect(length).toBe(4 * 24);
    const words = Array.from({ length: 24 }, (_, i) => u32(memory, at + i * 4));
    expect(words).toEqual([
      20, 0x00000000, 0, 0x0009fc00, 0, 1,
      20, 0x0009fc00, 0, 0x00060400, 0, 2,
      20, 0x00100000, 0, 63 * MIB, 0, 1,
      20, 0xfffc0000, 0, 0x00040000, 0, 2,
    ]); // prettier-ignore
  });

  it("points cmdline and boot_loader_name at NUL-terminated strings", () => {
    expect(cString(memory, u32(memory, address + 16))).toBe("root=/dev/hda1 swap=on");
    expect(cString(memory, u32(memory, address + 64))).toBe("vmm386");
  });

  it("refuses a string with a NUL inside, which the kernel would read cut short, naming whose string it is", () => {
    const data = new Uint8Array(16);
    expect(() => boot({ commandLine: "a\0b" })).toThrow(new BootInfoError("command line contains a NUL at byte 1, which would cut it short there"));
    expect(() => boot({ modules: [{ name: "initrd", data, cmdline: "initrd\0ro" }] })).toThrow(
      new BootInfoError('module "initrd": command line contains a NUL at byte 6, which would cut it short there'),
    );
    expect(() => boot({ commandLine: "x".repeat(5000) })).toThrow(new BootInfoError("command line of 5000 bytes is too long (max 4095)"));
  });

  it("loads a module page-aligned above the kernel and lists (mod_start, mod_end, cmdline, 0)", () => {
    expect(u32(memory, address + 20)).toBe(1);
    const entry = u32(memory, address + 24);
    expect(u32(memory, entry)).toBe(0x180000);
    expect(u32(memory, entry + 4)).toBe(0x180000 + 10_000);
    expect(cString(memory, u32(memory, entry + 8))).toBe("/boot/initrd ro");
    expect(u32(memory, entry + 12)).toBe(0);
    const loaded = new Uint8Array(initrd.length);
    memory.readBytes(0x180000, loaded);
    expect(loaded).toEqual(initrd);
  });

  it("writes the framebuffer fields at 88..115 with RGB colour info", () => {
    expect(u32(memory, address + 88)).toBe(0xfd000000);
    expect(u32(memory, address + 92)).toBe(0);
    expect([96, 100, 104].map((o) => u32(memory, address + o))).toEqual([4096, 1024, 768]);
    expect([108, 109, 110, 111, 112, 113, 114, 115].map((o) => memory.read8(address + o))).toEqual([32, 1, 16, 8, 8, 8, 0, 8]);
  });

  it("reads back, through readMultibootInfo, as the plain values written", () => {
    const info = readMultibootInfo(memory, address);
    expect(info.memLower).toBe(639);
    expect(info.cmdline?.text).toBe("root=/dev/hda1 swap=on");
    expect(info.mods?.modules).toEqual([
      expect.objectContaining({ start: 0x180000, end: 0x180000 + 10_000, cmdline: "/boot/initrd ro" }),
    ]);
    expect(info.mmap?.entries).toEqual(pcMemoryMap(64 * MIB));
    expect(info.bootLoaderName?.text).toBe("vmm386");
    expect(info.framebuffer).toEqual({ addr: 0xfd000000, pitch: 4096, width: 1024, height: 768, bpp: 32, type: 1, colorInfo: [16, 8, 8, 8, 0, 8] });
    expect(info.bootDevice).toBeUndefined();
  });
});

describe("the memory map", () => {
  it("is the usual PC map: 639 KiB, the EBDA-VGA-BIOS hole to 1 MiB, RAM above it, the BIOS ROM below 4 GiB", () => {
    expect(pcMemoryMap(16 * MIB)).toEqual([
      { base: 0x00000000, length: 0x0009fc00, type: 1 },
      { base: 0x0009fc00, length: 0x00060400, type: 2 },
      { base: 0x00100000, length: 0x00f00000, type: 1 },
      { base: 0xfffc0000, length: 0x00040000, type: 2 },
    ]);
  });

  it("carves reserved ranges out of RAM and lists those above it; mem_upper stops at the first hole", () => {
    const map = pcMemoryMap(64 * MIB, [
      { base: 0x3f00000, length: 0x10000, type: 3 },
      { base: 0xfec00000, length: 0x1000 },
    ]);
    expect(map).toEqual([
      { base: 0, length: 0x9fc00, type: 1 },
      { base: 0x9fc00, length: 0x60400, type: 2 },
      { base: 0x100000, length: 0x3e00000, type: 1 },
      { base: 0x3f00000, length: 0x10000, type: 3 },
      { base: 0x3f10000, length: 0xf0000, type: 1 },
      { base: 0xfec00000, length: 0x1000, type: 2 },
      { base: 0xfffc0000, length: 0x40000, type: 2 },
    ]);
    expect(lowerUpperKiB(map)).toEqual({ memLower: 639, memUpper: 0x3e00000 / 1024 });
  });

  it("has nothing usable above 1 MiB on a 1 MiB machine", () => {
    const map = pcMemoryMap(MIB);
    expect(map.filter((e) => e.base >= MIB)).toEqual([{ base: 0xfffc0000, length: 0x40000, type: 2 }]);
    expect(lowerUpperKiB(map)).toEqual({ memLower: 639, memUpper: 0 });
  });

  it("describes a 3 GiB machine with a 64-bit-clean length", () => {
    const { memory, address } = boot({ ramBytes: 3 * 1024 * MIB });
    const info = readMultibootInfo(memory, address);
    expect(info.mmap?.entries.slice(2)).toEqual([
      { base: MIB, length: 3 * 1024 * MIB - MIB, type: 1 },
      { base: 0xfffc0000, length: 0x40000, type: 2 },
    ]);
    expect(info.memUpper).toBe(3 * 1024 * 1024 - 1024);
  });
});

describe("describeRange and hexAddress", () => {
  it("print addresses past 4 GiB unwrapped and non-addresses as given", () => {
    expect(describeRange({ base: 0x100000, length: 0x80000 })).toBe("0x00100000..0x0017ffff");
    expect(describeRange({ base: 2 ** 32 + 4096, length: 4096 })).toBe("0x100001000..0x100001fff");
    expect(hexAddress(0xfffc0000)).toBe("0xfffc0000");
    expect(hexAddress(-4096)).toBe("-4096");
    expect(hexAddress(3145728.5)).toBe("3145728.5");
  });
});

describe("modules", () => {
  it("are placed one after another on page boundaries, keeping RAM sparse for zero pages", () => {
    const zeros = new Uint8Array(MIB);
    zeros[MIB - 1] = 7;
    const { memory, address } = boot({
      modules: [
        { name: "a", data: new Uint8Array(5000).fill(1) },
        { name: "b", data: zeros },
        { name: "c", data: new Uint8Array(1).fill(3), address: 0x800000 },
      ],
    });
    const mods = readMultibootInfo(memory, address).mods?.modules ?? [];
    expect(mods.map((m) => [m.start, m.end, m.cmdline])).toEqual([
      [0x180000, 0x180000 + 5000, "a"],
      [0x182000, 0x182000 + MIB, "b"],
      [0x800000, 0x800001, "c"],
    ]);
    expect(memory.read8(0x182000 + MIB - 1)).toBe(7);
    expect(memory.backedFrames).toBeLessThan(16);
  });

  it("go where asked when the place is whole pages of free RAM above 1 MiB", () => {
    const kernel = { textStart: 0x200000, textEnd: 0x210000, end: 0x220000 };
    const { memory, address } = boot({
      ramBytes: 16 * MIB,
      kernel,
      reservedRanges: [{ base: 0x400000, length: 0x1000, type: 3 }],
      modules: [
        { name: "under-kernel", data: new Uint8Array(0x100000).fill(1), address: 0x100000 },
        { name: "after-acpi", data: new Uint8Array(10), address: 0x401000 },
        { name: "last-page", data: new Uint8Array(4096).fill(9), address: 16 * MIB - 4096 },
      ],
    });
    const mods = readMultibootInfo(memory, address).mods?.modules ?? [];
    expect(mods.map((m) => [m.start, m.end])).toEqual([
      [0x100000, 0x200000],
      [0x401000, 0x40100a],
      [16 * MIB - 4096, 16 * MIB],
    ]);
    expect(memory.read8(16 * MIB - 1)).toBe(9);
  });

  it("without an address go to the first free page run above the kernel, past reserved ranges and placed modules", () => {
    const { memory, address } = boot({
      ramBytes: 16 * MIB,
      reservedRanges: [{ base: 0x181000, length: 0x800, name: "ACPI" }],
      modules: [
        { name: "a", data: new Uint8Array(4096) },
        { name: "b", data: new Uint8Array(4097) },
        { name: "fixed", data: new Uint8Array(8192), address: 0x183000 },
        { name: "c", data: new Uint8Array(100) },
      ],
    });
    const mods = readMultibootInfo(memory, address).mods?.modules ?? [];
    expect(mods.map((m) => [m.cmdline, m.start])).toEqual([
      ["a", 0x180000],
      ["b", 0x185000],
      ["fixed", 0x183000],
      ["c", 0x187000],
    ]);
  });

  it("that cannot go where asked, or do not fit, get one clear line naming the module and the rule", () => {
    const data = new Uint8Array(8192);
    const acpi = [{ base: 0x800000, length: 0x10000, type: 3, name: "ACPI tables" }];
    const cases: [Partial<BootInfoSpec>, string][] = [
      [{ modules: [{ name: "neg", data, address: -4096 }] }, 'module "neg": address -4096 is negative'],
      [{ modules: [{ name: "frac", data, address: 3145728.5 }] }, 'module "frac": address 3145728.5 is not a whole number'],
      [{ modules: [{ name: "nan", data, address: NaN }] }, 'module "nan": address NaN is not a whole number'],
      [{ modules: [{ name: "odd", data, address: 0x300800 }] }, 'module "odd": address 0x00300800 is not on a 4 KiB page boundary'],
      [
        { modules: [{ name: "ivt", data, address: 0 }] },
        'module "ivt": address 0x00000000 is below 1 MiB (0x00100000), the real-mode area (IVT, BIOS data, boot information, EBDA, VGA, BIOS ROM)',
      ],
      [{ modules: [{ name: "vga", data, address: 0xa0000 }] }, 'module "vga": address 0x000a0000 is below 1 MiB'],
      [{ modules: [{ name: "info", data, address: 0x9000 }] }, 'module "info": address 0x00009000 is below 1 MiB'],
      [
        { modules: [{ name: "wrap", data, address: 2 ** 32 + 4096 }] },
        'module "wrap" (8192 bytes at 0x100001000..0x100002fff) is not inside RAM (0x00000000..0x03ffffff, 65536 KiB)',
      ],
      [
        { modules: [{ name: "edge", data, address: 64 * MIB - 4096 }] },
        'module "edge" (8192 bytes at 0x03fff000..0x04000fff) is not inside RAM (0x00000000..0x03ffffff, 65536 KiB)',
      ],
      [
        { modules: [{ name: "k", data, address: 0x170000 }] },
        'module "k" (8192 bytes at 0x00170000..0x00171fff) overlaps the kernel image (0x00100000..0x0017ffff)',
      ],
      [
        { modules: [{ name: "x", data, address: 0x200000 }, { name: "y", data, address: 0x201000 }] },
        'module "y" (8192 bytes at 0x00201000..0x00202fff) overlaps module "x" (0x00200000..0x00201fff)',
      ],
      [
        { reservedRanges: acpi, modules: [{ name: "acpi", data, address: 0x80f000 }] },
        'module "acpi" (8192 bytes at 0x0080f000..0x00810fff) overlaps reserved memory 0x00800000..0x0080ffff (ACPI tables)',
      ],
      [
        { reservedRanges: [{ base: 0x800000, length: 0x1000 }], modules: [{ name: "hole", data, address: 0x7ff000 }] },
        'module "hole" (8192 bytes at 0x007ff000..0x00800fff) overlaps reserved memory 0x00800000..0x00800fff (type 2)',
      ],
      [
        { modules: [{ name: "big", data: new Uint8Array(63 * MIB) }] },
        'module "big" (66060288 bytes) does not fit in the free RAM from 0x00180000 (RAM ends at 0x04000000, 65536 KiB)',
      ],
      [
        { ramBytes: 4 * MIB, reservedRanges: [{ base: 0x200000, length: 0x1000 }], modules: [{ name: "gap", data: new Uint8Array(0x1ff001) }] },
        'module "gap" (2093057 bytes) does not fit in the free RAM from 0x00180000 (RAM ends at 0x00400000, 4096 KiB)',
      ],
    ];
    for (const [spec, message] of cases) {
      let thrown: unknown;
      try {
        boot(spec);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, message).toBeInstanceOf(BootInfoError);
      const text = (thrown as Error).message;
      expect(text.startsWith(message), `${text}\n  should start with\n${message}`).toBe(true);
      expect(text).not.toContain("\n");
    }
  });
});
