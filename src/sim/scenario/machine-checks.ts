/**
 * Range checks shared by scenario files and command-line options: each
 * returns null when the value is acceptable, or a phrase saying why not, so
 * the caller can prefix the place (`file:line: machine.ram` or `--ram`).
 */
import { PAGE_SIZE } from "../../machine/i386.js";
import { MAX_RAM_BYTES, MIN_RAM_BYTES } from "../../machine/physical-memory.js";
import { parseSize, SizeFormatError, formatSize } from "../../machine/units.js";
import type { TlbChoice } from "./types.js";

/** Largest swap area offered: 4 GiB (a million 4 KiB slots). */
export const MAX_SWAP_BYTES = 4 * 1024 * 1024 * 1024;

/** A byte count from a YAML number or a size string; a phrase on error. */
export function sizeValue(value: number | string): number | string {
  if (typeof value === "number") return value;
  try {
    return parseSize(value);
  } catch (e) {
    if (e instanceof SizeFormatError) return e.message;
    throw e;
  }
}

export function checkRamBytes(bytes: number): string | null {
  if (bytes % PAGE_SIZE !== 0) return `RAM size ${formatSize(bytes)} is not a multiple of 4K`;
  if (bytes < MIN_RAM_BYTES || bytes > MAX_RAM_BYTES) {
    return `RAM size ${formatSize(bytes)} is out of range (1M to 3G)`;
  }
  return null;
}

export function checkSwapBytes(bytes: number): string | null {
  if (bytes % PAGE_SIZE !== 0) return `swap size ${formatSize(bytes)} is not a multiple of 4K`;
  if (bytes > MAX_SWAP_BYTES) return `swap size ${formatSize(bytes)} is out of range (0 to 4G)`;
  return null;
}

export function checkTlb(tlb: TlbChoice): string | null {
  if (tlb === "off") return null;
  if (!Number.isInteger(tlb.entries) || tlb.entries < 1 || tlb.entries > 65536) {
    return `TLB entries ${tlb.entries} out of range (1 to 65536)`;
  }
  if (tlb.ways < 1 || tlb.entries % tlb.ways !== 0) {
    return `TLB of ${tlb.entries} entries cannot have ${tlb.ways} ways (entries must be a multiple of ways)`;
  }
  return null;
}

/** Ways for a TLB given only its entry count: 4 like the Intel parts, fully associative when smaller. */
export function defaultWays(entries: number): number {
  return entries % 4 === 0 ? 4 : entries;
}
