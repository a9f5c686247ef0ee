/**
 * What vmm_init needs from the multiboot information (Multiboot 0.6.96),
 * read from simulated memory as the seed reads g_mbi (through the machine's
 * reader, src/machine/multiboot.ts): the RAM size, the memory map, and every
 * payload the loader left in RAM (the structure itself, the map buffer,
 * command lines, the module list and modules), plus the framebuffer.
 */

import type { PhysicalMemory } from "../machine/physical-memory.js";
import { MULTIBOOT_INFO, MULTIBOOT_INFO_SIZE, MULTIBOOT_MODULE_SIZE, readMultibootInfo } from "../machine/multiboot.js";

/** Byte lengths of boot strings (TextEncoder: the same count in Node and a browser). */
const UTF8 = new TextEncoder();

const MEMORY_AVAILABLE = 1;

export interface BootMemoryRegion {
  readonly base: number;
  readonly length: number;
  /** 1 = available RAM; anything else is reserved. */
  readonly type: number;
}

/** A physical byte range [start, end) the loader filled and the kernel must not reuse. */
export interface PayloadRange {
  readonly what: string;
  readonly start: number;
  readonly end: number;
}

/** The kernel's narrow view of the multiboot information. */
export interface BootInfo {
  readonly flags: number;
  /** KiB of memory below 1 MiB and above 1 MiB (flag MEMORY; 0 without it). */
  readonly memLower: number;
  readonly memUpper: number;
  /** The memory map (flag MEM_MAP), or null. */
  readonly memoryMap: readonly BootMemoryRegion[] | null;
  readonly payloads: readonly PayloadRange[];
  /** Framebuffer fields (read whatever the flags say, as the seed does); null when the address is 0. */
  readonly framebuffer: { readonly addr: number; readonly pitch: number; readonly height: number } | null;
}

/** Reads the multiboot information at physical `address`. */
export function readBootInfo(memory: PhysicalMemory, address: number): BootInfo {
  const mbi = readMultibootInfo(memory, address);
  const payloads: PayloadRange[] = [{ what: "multiboot information", start: address, end: address + MULTIBOOT_INFO_SIZE }];
  const string = (what: string, at: number, text: string): void => {
    if (at !== 0) payloads.push({ what, start: at, end: at + UTF8.encode(text).length + 1 });
  };
  if (mbi.mmap !== undefined && mbi.mmap.address !== 0 && mbi.mmap.length !== 0) {
    payloads.push({ what: "memory map", start: mbi.mmap.address, end: mbi.mmap.address + mbi.mmap.length });
  }
  if (mbi.cmdline !== undefined) string("command line", mbi.cmdline.address, mbi.cmdline.text);
  if (mbi.mods !== undefined && mbi.mods.address !== 0 && mbi.mods.count !== 0) {
    payloads.push({ what: "module list", start: mbi.mods.address, end: mbi.mods.address + mbi.mods.count * MULTIBOOT_MODULE_SIZE });
    mbi.mods.modules.forEach((m, i) => {
      if (m.end > m.start) payloads.push({ what: `module ${i}`, start: m.start, end: m.end });
      string(`module ${i} command line`, m.cmdlineAddress, m.cmdline);
    });
  }
  // The seed does not reserve the boot loader's name; it is a payload all the same.
  if (mbi.bootLoaderName !== undefined) string("boot loader name", mbi.bootLoaderName.address, mbi.bootLoaderName.text);
  return {
    flags: mbi.flags,
    memLower: mbi.memLower ?? 0,
    memUpper: mbi.memUpper ?? 0,
    memoryMap: mbi.mmap === undefined ? null : mbi.mmap.entries.map((e) => ({ base: e.base, length: e.length, type: e.type })),
    payloads,
    framebuffer: readFramebuffer(memory, address),
  };
}

/**
 * The framebuffer fields as the seed reads them: whether or not flag bit 12
 * says they are valid (its comment: some loaders fill them without setting
 * it), the address at offset 88 (64 bits), pitch at 96, height at 104; null
 * when the address is 0. A loader that leaves them zero maps nothing.
 */
function readFramebuffer(memory: PhysicalMemory, info: number): BootInfo["framebuffer"] {
  const u32 = (at: number): number => memory.read32(info + at) >>> 0;
  const addr = u32(88) + u32(92) * 2 ** 32;
  return addr === 0 ? null : { addr, pitch: u32(96), height: u32(104) };
}

/** Bytes of RAM detected: the end of the highest available region below 4 GiB, else 1 MiB + mem_upper KiB. */
export function detectedRamBytes(info: BootInfo): number {
  let end = 0;
  for (const r of info.memoryMap ?? []) {
    if (r.type === MEMORY_AVAILABLE) end = Math.max(end, Math.min(r.base + r.length, 2 ** 32));
  }
  if (end === 0 && (info.flags & MULTIBOOT_INFO.MEMORY) !== 0) end = (info.memUpper + 1024) * 1024;
  return end - (end % 4096);
}

/** True when frame `pfn` lies wholly inside an available region (or there is no map). */
export function isAvailableFrame(map: readonly BootMemoryRegion[] | null, pfn: number): boolean {
  if (map === null) return true;
  const start = pfn * 4096;
  for (const r of map) if (r.type === MEMORY_AVAILABLE && r.base <= start && start + 4096 <= r.base + r.length) return true;
  return false;
}
