/**
 * The multiboot information structure (Multiboot Specification 0.6.96,
 * "Boot information format"), written byte-exact into simulated physical
 * memory as a multiboot loader leaves it for the kernel, and read back.
 *
 *   offset  field                        flag bit
 *        0  flags
 *        4  mem_lower, 8 mem_upper (KiB)  0
 *       16  cmdline                       2
 *       20  mods_count, 24 mods_addr      3
 *       44  mmap_length, 48 mmap_addr     6
 *       64  boot_loader_name              9
 *       88  framebuffer_addr (u64), 96 pitch, 100 width, 104 height,
 *      108  bpp (u8), 109 type (u8), 110..115 color_info   12
 *
 * Placement follows GRUB legacy: everything the loader makes (the structure,
 * the memory map, the module list, strings) sits in conventional memory
 * from 0x9000, below the EBDA; modules are loaded page-aligned above the
 * kernel image, each in one available range of RAM (placeModules).
 *
 * Note: the spec puts color_info at 110; GRUB's multiboot.h, compiled
 * without packing, puts its union at 112. We follow the spec.
 */

import { PAGE_SIZE } from "./i386.js";
import { MemoryConfigError, type PhysicalMemory } from "./physical-memory.js";
import {
  EBDA_BASE,
  HIGH_MEMORY_BASE,
  MEMORY_TYPE,
  type MemoryMapEntry,
  type MemoryRange,
  describeRange,
  hexAddress,
  lowerUpperKiB,
  pcMemoryMap,
  rangesOverlap,
  type ReservedRange,
} from "./memory-map.js";

/** What a multiboot loader passes in EAX. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;

/** Bits of multiboot_info.flags. */
export const MULTIBOOT_INFO = {
  MEMORY: 1 << 0,
  BOOTDEV: 1 << 1,
  CMDLINE: 1 << 2,
  MODS: 1 << 3,
  MEM_MAP: 1 << 6,
  BOOT_LOADER_NAME: 1 << 9,
  FRAMEBUFFER_INFO: 1 << 12,
} as const;

export const FRAMEBUFFER_TYPE = { INDEXED: 0, RGB: 1, EGA_TEXT: 2 } as const;

/** Bytes of multiboot_info through color_info. */
export const MULTIBOOT_INFO_SIZE = 116;
export const MULTIBOOT_MODULE_SIZE = 16;
/** An mmap entry: size (u32, not counting itself) then 20 bytes. */
export const MULTIBOOT_MMAP_ENTRY_SIZE = 24;
/** Where the loader's structures start (GRUB legacy's neighbourhood) and must end. */
export const BOOT_INFO_BASE = 0x9000;
export const BOOT_INFO_LIMIT = EBDA_BASE;
export const BOOT_INFO_AREA: MemoryRange = { base: BOOT_INFO_BASE, length: BOOT_INFO_LIMIT - BOOT_INFO_BASE };
const MAX_STRING = 4096;

/** Where the kernel image lies in physical memory ([textStart, textEnd) is its code). */
export interface KernelImage {
  readonly textStart: number;
  readonly textEnd: number;
  /** First byte past the image (`__kernel_end`). */
  readonly end: number;
}

/**
 * A module to load: its bytes, and optionally where (a page boundary at or
 * above 1 MiB in available RAM; else the first free one above the kernel and
 * the earlier modules without an address).
 */
export interface ModuleSpec {
  readonly name: string;
  readonly data: Uint8Array;
  readonly cmdline?: string;
  readonly address?: number;
}

export interface FramebufferSpec {
  readonly addr: number;
  readonly width: number;
  readonly height: number;
  /** Bytes per scan line. */
  readonly pitch: number;
  readonly bpp: number;
  /** RGB (default) or EGA text. */
  readonly type?: "rgb" | "text";
}

export interface BootInfoSpec {
  readonly ramBytes: number;
  readonly kernel: KernelImage;
  readonly commandLine?: string;
  readonly modules?: readonly ModuleSpec[];
  readonly framebuffer?: FramebufferSpec;
  readonly reservedRanges?: readonly ReservedRange[];
  readonly bootLoaderName?: string;
}

/** A module as loaded: [start, end) in physical memory. */
export interface LoadedModule {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly cmdline: string;
}

/** The multiboot information as a kernel reads it: plain values, addresses kept for reservation. */
export interface MultibootInfo {
  readonly address: number;
  readonly flags: number;
  readonly memLower?: number;
  readonly memUpper?: number;
  readonly bootDevice?: number;
  readonly cmdline?: { readonly address: number; readonly text: string };
  readonly mods?: {
    readonly address: number;
    readonly count: number;
    readonly modules: readonly (LoadedModule & { readonly cmdlineAddress: number })[];
  };
  readonly mmap?: { readonly address: number; readonly length: number; readonly entries: readonly MemoryMapEntry[] };
  readonly bootLoaderName?: { readonly address: number; readonly text: string };
  readonly framebuffer?: FramebufferInfo;
}

/** The framebuffer fields of the multiboot information (flags bit 12). */
export interface FramebufferInfo {
  readonly addr: number;
  readonly pitch: number;
  readonly width: number;
  readonly height: number;
  readonly bpp: number;
  readonly type: number;
  /** For RGB: red, green, blue field positions and mask sizes. */
  readonly colorInfo: readonly number[];
}

/** A module that does not fit, a structure that overflows low memory: one line, the place named. */
export class BootInfoError extends MemoryConfigError {
  override name = "BootInfoError";
}

/**
 * Loads the modules and writes the multiboot information for `spec` into
 * `memory` (fresh, all zero); returns the structure's address and what was
 * loaded. Throws BootInfoError when a module cannot go where asked or does
 * not fit.
 */
export function writeMultibootInfo(memory: PhysicalMemory, spec: BootInfoSpec): { address: number; info: MultibootInfo } {
  const memoryMap = pcMemoryMap(spec.ramBytes, spec.reservedRanges);
  const modules = placeModules(spec, memoryMap);
  for (const m of modules) loadBytes(memory, m.start, m.data);

  const area = new BumpArea(BOOT_INFO_BASE);
  const info = area.take(MULTIBOOT_INFO_SIZE, 16);
  let flags = MULTIBOOT_INFO.MEMORY | MULTIBOOT_INFO.MEM_MAP | MULTIBOOT_INFO.BOOT_LOADER_NAME;
  const { memLower, memUpper } = lowerUpperKiB(memoryMap);
  memory.write32(info + 4, memLower);
  memory.write32(info + 8, memUpper);

  const mmap = area.take(memoryMap.length * MULTIBOOT_MMAP_ENTRY_SIZE, 8);
  memoryMap.forEach((e, i) => writeMmapEntry(memory, mmap + i * MULTIBOOT_MMAP_ENTRY_SIZE, e));
  memory.write32(info + 44, memoryMap.length * MULTIBOOT_MMAP_ENTRY_SIZE);
  memory.write32(info + 48, mmap);

  if (spec.commandLine !== undefined) {
    flags |= MULTIBOOT_INFO.CMDLINE;
    memory.write32(info + 16, writeString(memory, area, spec.commandLine, "command line"));
  }
  if (spec.modules !== undefined) {
    flags |= MULTIBOOT_INFO.MODS;
    const list = area.take(Math.max(modules.length, 1) * MULTIBOOT_MODULE_SIZE, 16);
    modules.forEach((m, i) => {
      const entry = list + i * MULTIBOOT_MODULE_SIZE;
      memory.write32(entry, m.start);
      memory.write32(entry + 4, m.end);
      memory.write32(entry + 8, writeString(memory, area, m.cmdline, `module "${m.name}": command line`));
    });
    memory.write32(info + 20, modules.length);
    memory.write32(info + 24, list);
  }
  memory.write32(info + 64, writeString(memory, area, spec.bootLoaderName ?? "vmm386", "boot loader name"));
  if (spec.framebuffer !== undefined) {
    flags |= MULTIBOOT_INFO.FRAMEBUFFER_INFO;
    writeFramebuffer(memory, info, spec.framebuffer);
  }
  memory.write32(info, flags);
  return { address: info, info: readMultibootInfo(memory, info) };
}

/** Reads the multiboot information at `address` as a kernel would, honouring the flag bits. */
export function readMultibootInfo(memory: PhysicalMemory, address: number): MultibootInfo {
  const u32 = (at: number): number => memory.read32(address + at) >>> 0;
  const flags = u32(0);
  const has = (bit: number): boolean => (flags & bit) !== 0;
  const info: { -readonly [K in keyof MultibootInfo]: MultibootInfo[K] } = { address, flags };
  if (has(MULTIBOOT_INFO.MEMORY)) {
    info.memLower = u32(4);
    info.memUpper = u32(8);
  }
  if (has(MULTIBOOT_INFO.BOOTDEV)) info.bootDevice = u32(12);
  if (has(MULTIBOOT_INFO.CMDLINE)) info.cmdline = { address: u32(16), text: readString(memory, u32(16)) };
  if (has(MULTIBOOT_INFO.MODS)) {
    const list = u32(24);
    const count = u32(20);
    const modules = [];
    for (let i = 0; i < count; i++) {
      const entry = list + i * MULTIBOOT_MODULE_SIZE;
      const cmdlineAddress = memory.read32(entry + 8) >>> 0;
      const cmdline = readString(memory, cmdlineAddress);
      const start = memory.read32(entry) >>> 0;
      modules.push({ name: cmdline, start, end: memory.read32(entry + 4) >>> 0, cmdline, cmdlineAddress });
    }
    info.mods = { address: list, count, modules };
  }
  if (has(MULTIBOOT_INFO.MEM_MAP)) info.mmap = { address: u32(48), length: u32(44), entries: readMmap(memory, u32(48), u32(44)) };
  if (has(MULTIBOOT_INFO.BOOT_LOADER_NAME)) info.bootLoaderName = { address: u32(64), text: readString(memory, u32(64)) };
  if (has(MULTIBOOT_INFO.FRAMEBUFFER_INFO)) {
    info.framebuffer = {
      addr: u32(88) + u32(92) * 2 ** 32,
      pitch: u32(96),
      width: u32(100),
      height: u32(104),
      bpp: memory.read8(address + 108),
      type: memory.read8(address + 109),
      colorInfo: [0, 1, 2, 3, 4, 5].map((i) => memory.read8(address + 110 + i)),
    };
  }
  return info;
}

/** Something a module must not overlap, named for messages. */
interface TakenRange extends MemoryRange {
  readonly name: string;
}

/**
 * Addresses for every module, in the order given. Modules with an address are
 * checked where they are; the rest go, in order, at the lowest page boundary
 * at or after the kernel image and the previous such module that lies in
 * available RAM clear of everything placed. Either way a module starts on a
 * page boundary (what a kernel setting the header's MODULE_ALIGN bit, flag
 * bit 0, is promised; the loader here always keeps it), at or above 1 MiB,
 * wholly inside one available range of the memory map and clear of the
 * kernel and every other module. The boot information lives below 1 MiB, so
 * the 1 MiB rule keeps modules off it.
 */
function placeModules(spec: BootInfoSpec, memoryMap: readonly MemoryMapEntry[]): (LoadedModule & { data: Uint8Array })[] {
  const modules = spec.modules ?? [];
  const taken: TakenRange[] = [{ name: "the kernel image", base: spec.kernel.textStart, length: spec.kernel.end - spec.kernel.textStart }];
  const starts = modules.map((m) => m.address);
  for (const m of modules) {
    if (m.address === undefined) continue;
    checkModuleAddress(m, m.address, spec, memoryMap, taken);
    taken.push(moduleRange(m, m.address));
  }
  let cursor = pageUp(spec.kernel.end);
  modules.forEach((m, i) => {
    if (m.address !== undefined) return;
    const start = findFreeStart(m, cursor, spec.ramBytes, memoryMap, taken);
    taken.push(moduleRange(m, start));
    starts[i] = start;
    cursor = pageUp(start + m.data.length);
  });
  return modules.map((m, i) => {
    const start = starts[i] as number;
    return { name: m.name, start, end: start + m.data.length, cmdline: m.cmdline ?? m.name, data: m.data };
  });
}

/** The bytes `m` covers at `start` (an empty module still claims its first byte). */
function moduleRange(m: ModuleSpec, start: number): TakenRange {
  return { name: `module "${m.name}"`, base: start, length: Math.max(m.data.length, 1) };
}

/** Throws BootInfoError, naming the module and the rule, unless `address` is a place `m` may be loaded. */
function checkModuleAddress(
  m: ModuleSpec,
  address: number,
  spec: BootInfoSpec,
  memoryMap: readonly MemoryMapEntry[],
  taken: readonly TakenRange[],
): void {
  const named = `module "${m.name}"`;
  if (!Number.isSafeInteger(address)) throw new BootInfoError(`${named}: address ${address} is not a whole number`);
  if (address < 0) throw new BootInfoError(`${named}: address ${address} is negative`);
  if (address % PAGE_SIZE !== 0) {
    throw new BootInfoError(`${named}: address ${hexAddress(address)} is not on a 4 KiB page boundary`);
  }
  if (address < HIGH_MEMORY_BASE) {
    throw new BootInfoError(
      `${named}: address ${hexAddress(address)} is below 1 MiB (${hexAddress(HIGH_MEMORY_BASE)}), the real-mode area (IVT, BIOS data, boot information, EBDA, VGA, BIOS ROM)`,
    );
  }
  const range = moduleRange(m, address);
  const where = `${named} (${m.data.length} bytes at ${describeRange(range)})`;
  if (range.base + range.length > spec.ramBytes) {
    throw new BootInfoError(`${where} is not inside RAM (${describeRange({ base: 0, length: spec.ramBytes })}, ${spec.ramBytes / 1024} KiB)`);
  }
  const other = taken.find((t) => rangesOverlap(range, t));
  if (other !== undefined) throw new BootInfoError(`${where} overlaps ${other.name} (${describeRange(other)})`);
  const hole = memoryMap.find((e) => e.type !== MEMORY_TYPE.AVAILABLE && rangesOverlap(range, e));
  if (hole !== undefined) {
    throw new BootInfoError(`${where} overlaps reserved memory ${describeRange(hole)}${reservedName(hole, spec.reservedRanges)}`);
  }
}

/** " (ACPI tables)" for a hole the description named, else " (type 3)". */
function reservedName(hole: MemoryMapEntry, reserved: readonly ReservedRange[] = []): string {
  const named = reserved.find((r) => r.base === hole.base && r.length === hole.length)?.name;
  return ` (${named ?? `type ${hole.type}`})`;
}

/** The lowest page boundary at or after `from` where `m` lies in one available range, clear of `taken`. */
function findFreeStart(
  m: ModuleSpec,
  from: number,
  ramBytes: number,
  memoryMap: readonly MemoryMapEntry[],
  taken: readonly TakenRange[],
): number {
  const length = Math.max(m.data.length, 1);
  for (const e of memoryMap) {
    if (e.type !== MEMORY_TYPE.AVAILABLE) continue;
    let start = pageUp(Math.max(from, e.base));
    while (start + length <= e.base + e.length) {
      const other = taken.find((t) => rangesOverlap({ base: start, length }, t));
      if (other === undefined) return start;
      start = pageUp(other.base + other.length);
    }
  }
  throw new BootInfoError(
    `module "${m.name}" (${m.data.length} bytes) does not fit in the free RAM from ${hexAddress(from)} (RAM ends at ${hexAddress(ramBytes)}, ${ramBytes / 1024} KiB)`,
  );
}

/** Copies `data` to physical `pa`: whole frames at once, zero frames left unbacked. */
function loadBytes(memory: PhysicalMemory, pa: number, data: Uint8Array): void {
  let i = 0;
  while (i < data.length) {
    const at = pa + i;
    if (at % PAGE_SIZE === 0 && data.length - i >= PAGE_SIZE) {
      const frame = data.subarray(i, i + PAGE_SIZE);
      if (frame.some((b) => b !== 0)) memory.writeFrame(at / PAGE_SIZE, frame);
      else memory.zeroFrame(at / PAGE_SIZE);
      i += PAGE_SIZE;
    } else {
      memory.write8(at, data[i]);
      i++;
    }
  }
}

function writeMmapEntry(memory: PhysicalMemory, at: number, e: MemoryMapEntry): void {
  memory.write32(at, MULTIBOOT_MMAP_ENTRY_SIZE - 4);
  memory.write32(at + 4, e.base % 2 ** 32);
  memory.write32(at + 8, Math.floor(e.base / 2 ** 32));
  memory.write32(at + 12, e.length % 2 ** 32);
  memory.write32(at + 16, Math.floor(e.length / 2 ** 32));
  memory.write32(at + 20, e.type);
}

/** Walks the mmap buffer as the spec says: each entry's size field counts the bytes after it. */
function readMmap(memory: PhysicalMemory, address: number, length: number): MemoryMapEntry[] {
  const entries: MemoryMapEntry[] = [];
  for (let at = address; at < address + length; ) {
    const size = memory.read32(at) >>> 0;
    entries.push({
      base: (memory.read32(at + 4) >>> 0) + (memory.read32(at + 8) >>> 0) * 2 ** 32,
      length: (memory.read32(at + 12) >>> 0) + (memory.read32(at + 16) >>> 0) * 2 ** 32,
      type: memory.read32(at + 20) >>> 0,
    });
    if (size < 20) break;
    at += size + 4;
  }
  return entries;
}

function writeFramebuffer(memory: PhysicalMemory, info: number, fb: FramebufferSpec): void {
  memory.write32(info + 88, fb.addr);
  memory.write32(info + 92, 0);
  memory.write32(info + 96, fb.pitch);
  memory.write32(info + 100, fb.width);
  memory.write32(info + 104, fb.height);
  memory.write8(info + 108, fb.bpp);
  const text = fb.type === "text";
  memory.write8(info + 109, text ? FRAMEBUFFER_TYPE.EGA_TEXT : FRAMEBUFFER_TYPE.RGB);
  if (!text) rgbFields(fb.bpp).forEach((v, i) => memory.write8(info + 110 + i, v));
}

/** Red, green, blue (position, size) for the usual direct-colour depths. */
function rgbFields(bpp: number): number[] {
  if (bpp === 15) return [10, 5, 5, 5, 0, 5];
  if (bpp === 16) return [11, 5, 5, 6, 0, 5];
  return [16, 8, 8, 8, 0, 8];
}

/**
 * Writes a NUL-terminated string into the area; returns its address. A NUL
 * inside would end the string early for the kernel, so it is refused, naming
 * `what`.
 */
function writeString(memory: PhysicalMemory, area: BumpArea, text: string, what: string): number {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= MAX_STRING) throw new BootInfoError(`${what} of ${bytes.length} bytes is too long (max ${MAX_STRING - 1})`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new BootInfoError(`${what} contains a NUL at byte ${nul}, which would cut it short there`);
  const at = area.take(bytes.length + 1, 1);
  memory.writeBytes(at, bytes);
  memory.write8(at + bytes.length, 0);
  return at;
}

function readString(memory: PhysicalMemory, address: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < MAX_STRING; i++) {
    const b = memory.read8(address + i);
    if (b === 0) break;
    bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function pageUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** The loader's scratch space in low memory: aligned bump allocation up to the EBDA. */
class BumpArea {
  constructor(private next: number) {}

  take(size: number, align: number): number {
    const at = Math.ceil(this.next / align) * align;
    if (at + size > BOOT_INFO_LIMIT) {
      throw new BootInfoError(`boot information does not fit in low memory ${describeRange(BOOT_INFO_AREA)}`);
    }
    this.next = at + size;
    return at;
  }
}
