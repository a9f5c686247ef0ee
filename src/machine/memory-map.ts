/**
 * The PC physical memory map a BIOS reports (INT 15h, E820) and a multiboot
 * loader passes on: conventional memory below the EBDA; the EBDA, VGA
 * memory, option ROMs and the motherboard BIOS reserved as one range up to
 * 1 MiB; RAM from 1 MiB to its end; the BIOS ROM alias just below 4 GiB
 * (where the CPU fetches its first instruction); and whatever extra reserved
 * ranges the machine description adds (ACPI tables, a hole, MMIO). Reserved
 * ranges inside RAM are carved out of the usable entries, as firmware does,
 * so the entries never overlap and come sorted by address.
 */

import { hex32 } from "./i386.js";

/** E820 / multiboot memory types. */
export const MEMORY_TYPE = {
  AVAILABLE: 1,
  RESERVED: 2,
  ACPI_RECLAIMABLE: 3,
  NVS: 4,
  BADRAM: 5,
} as const;

export interface MemoryRange {
  readonly base: number;
  readonly length: number;
}

export interface MemoryMapEntry extends MemoryRange {
  readonly type: number;
}

/** A reserved range from a machine description; type RESERVED unless given. */
export interface ReservedRange extends MemoryRange {
  readonly type?: number;
  /** Why it is reserved, for messages ("ACPI tables"). */
  readonly name?: string;
}

/** Start of the Extended BIOS Data Area: conventional memory is 0..0x9FBFF (639 KiB). */
export const EBDA_BASE = 0x9fc00;
/** End of the 640 KiB a real-mode PC has as RAM (mem_lower never reaches past it). */
export const LOW_MEMORY_END = 0xa0000;
export const HIGH_MEMORY_BASE = 0x100000;
/** EBDA, VGA memory, option ROMs and BIOS: reserved up to 1 MiB. */
export const PC_LOW_RESERVED: MemoryRange = { base: EBDA_BASE, length: HIGH_MEMORY_BASE - EBDA_BASE };
/** The BIOS ROM as the top of the 4 GiB space decodes it (256 KiB, as QEMU's E820 reports). */
export const BIOS_ROM_HIGH: MemoryRange = { base: 0xfffc0000, length: 0x40000 };

/** The memory map of a PC with `ramBytes` of RAM plus `reserved` ranges. */
export function pcMemoryMap(ramBytes: number, reserved: readonly ReservedRange[] = []): MemoryMapEntry[] {
  const holes: MemoryMapEntry[] = [
    { ...PC_LOW_RESERVED, type: MEMORY_TYPE.RESERVED },
    ...reserved.map((r) => ({ base: r.base, length: r.length, type: r.type ?? MEMORY_TYPE.RESERVED })),
    { ...BIOS_ROM_HIGH, type: MEMORY_TYPE.RESERVED },
  ];
  let usable: MemoryRange[] = [{ base: 0, length: EBDA_BASE }];
  if (ramBytes > HIGH_MEMORY_BASE) usable.push({ base: HIGH_MEMORY_BASE, length: ramBytes - HIGH_MEMORY_BASE });
  for (const hole of holes) usable = usable.flatMap((u) => subtract(u, hole));
  const entries: MemoryMapEntry[] = [...usable.map((u) => ({ ...u, type: MEMORY_TYPE.AVAILABLE })), ...holes];
  return entries.sort((a, b) => a.base - b.base);
}

/** KiB of usable memory from 0 (mem_lower) and from 1 MiB up to the first hole (mem_upper). */
export function lowerUpperKiB(map: readonly MemoryMapEntry[]): { memLower: number; memUpper: number } {
  const endOfUsableFrom = (start: number): number => {
    let end = start;
    for (const e of map) {
      if (e.type === MEMORY_TYPE.AVAILABLE && e.base <= end && e.base + e.length > end) end = e.base + e.length;
    }
    return end;
  };
  return {
    memLower: Math.floor(Math.min(endOfUsableFrom(0), LOW_MEMORY_END) / 1024),
    memUpper: Math.floor((endOfUsableFrom(HIGH_MEMORY_BASE) - HIGH_MEMORY_BASE) / 1024),
  };
}

/** True when ranges [a.base, a.base+a.length) and [b...) share a byte. */
export function rangesOverlap(a: MemoryRange, b: MemoryRange): boolean {
  return a.base < b.base + b.length && b.base < a.base + a.length;
}

/** "0x00100000..0x0017ffff" (inclusive end), for messages. */
export function describeRange(r: MemoryRange): string {
  return `${hexAddress(r.base)}..${hexAddress(r.base + r.length - 1)}`;
}

/**
 * A physical address for messages: eight hex digits, more past 4 GiB rather
 * than wrapped (2^32 + 4096 is not 0x00001000), and a value that is no
 * address at all (-4096, 3145728.5) as given.
 */
export function hexAddress(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return String(n);
  return n < 2 ** 32 ? hex32(n) : "0x" + n.toString(16);
}

/** `range` minus `hole`: zero, one or two pieces. */
function subtract(range: MemoryRange, hole: MemoryRange): MemoryRange[] {
  if (!rangesOverlap(range, hole)) return [range];
  const pieces: MemoryRange[] = [];
  if (hole.base > range.base) pieces.push({ base: range.base, length: hole.base - range.base });
  const holeEnd = hole.base + hole.length;
  const end = range.base + range.length;
  if (holeEnd < end) pieces.push({ base: holeEnd, length: end - holeEnd });
  return pieces;
}
