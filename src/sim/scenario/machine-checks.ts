/**
 * Range checks shared by scenario files and command-line options: each
 * returns null when the value is acceptable, or a phrase saying why not, so
 * the caller can prefix the place (`file:line: machine.ram` or `--ram`).
 */
import { PAGE_SIZE } from "../../machine/i386.js";
import { CPU_NAMES, isCpuName } from "../../machine/cpu-model.js";
import { DEFAULT_KERNEL_IMAGE } from "../../machine/machine.js";
import { MAX_RAM_BYTES } from "../../machine/physical-memory.js";
import { parseSize, SizeFormatError, formatSize } from "../../machine/units.js";
import type { TlbChoice } from "../../machine/cpu-model.js";

/** Largest swap area offered: 4 GiB (a million 4 KiB slots). */
export const MAX_SWAP_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Page-table frames boot takes above the kernel image: the page directory
 * and, for each of the 4 directory slots the seed always maps (16 MiB), one
 * table for the identity map and one for the KERNEL_BASE alias.
 */
const BOOT_TABLE_FRAMES = 1 + 2 * 4;

/**
 * Frames the first process needs to touch one page: its page directory,
 * the page table that maps the page, and the page's frame. The kernel
 * keeps no reserve beyond them (measured: with one frame less the touch
 * runs out of memory, with two less brk is refused, with three less
 * spawn fails).
 */
const FIRST_PROCESS_FRAMES = 3;

/**
 * The least RAM a scenario can run in (1584K): the EYN-OS kernel's image up
 * to 0x180000, the boot page tables right above it, then one process
 * touching one page. The kernel itself boots in 12K less, but there it
 * cannot create a process, so a run would show nothing; the bare machine
 * takes 1 MiB (physical-memory.ts).
 */
export const MIN_PROCESS_RAM_BYTES = DEFAULT_KERNEL_IMAGE.end + (BOOT_TABLE_FRAMES + FIRST_PROCESS_FRAMES) * PAGE_SIZE;

/** "1584K (the least in which the EYN-OS kernel runs a process) to 3G", for help texts and messages. */
export const RAM_RANGE = `${formatSize(MIN_PROCESS_RAM_BYTES)} (the least in which the EYN-OS kernel runs a process) to ${formatSize(MAX_RAM_BYTES)}`;

/** A byte count from a YAML number or a size string; a phrase on error. */
export function sizeValue(value: number | string): number | string {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : `${showNumber(value)} is not a size (a whole number of bytes)`;
  try {
    return parseSize(value);
  } catch (e) {
    if (e instanceof SizeFormatError) return e.message;
    throw e;
  }
}

export function checkRamBytes(bytes: number): string | null {
  if (!Number.isSafeInteger(bytes)) return `RAM size ${showNumber(bytes)} is not a byte count`;
  if (bytes % PAGE_SIZE !== 0) return `RAM size ${formatSize(bytes)} is not a multiple of 4K`;
  if (bytes < MIN_PROCESS_RAM_BYTES || bytes > MAX_RAM_BYTES) return `RAM size ${formatSize(bytes)} is out of range: ${RAM_RANGE}`;
  return null;
}

export function checkSwapBytes(bytes: number): string | null {
  if (!Number.isSafeInteger(bytes) || bytes < 0) return `swap size ${showNumber(bytes)} is not a byte count`;
  if (bytes % PAGE_SIZE !== 0) return `swap size ${formatSize(bytes)} is not a multiple of 4K`;
  if (bytes > MAX_SWAP_BYTES) return `swap size ${formatSize(bytes)} is out of range (0 to 4G)`;
  return null;
}

/** A whole number's range: the one definition each option and field uses. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** A cap of resident user pages: at least one, at most the 2^20 pages of a 32-bit space. */
export const USER_FRAMES_RANGE: IntegerRange = { min: 1, max: 0x100000 };
/** A seed: any 32-bit unsigned value. */
export const SEED_RANGE: IntegerRange = { min: 0, max: 0xffffffff };
/** The pid limit: room for one process (pid 1) up to Linux's PID_MAX_LIMIT, 2^22. */
export const PID_MAX_RANGE: IntegerRange = { min: 2, max: 4 * 1024 * 1024 };

/** Null if `n` is a whole number in `range`, else a phrase ("5 is out of range (1 to 1048576)"). */
export function checkInteger(n: number, range: IntegerRange): string | null {
  if (!Number.isSafeInteger(n)) return `${showNumber(n)} is not a whole number`;
  if (n < range.min || n > range.max) return `${n} is out of range (${range.min} to ${range.max})`;
  return null;
}

export function checkUserFrames(n: number): string | null {
  return checkInteger(n, USER_FRAMES_RANGE);
}

export function checkSeed(n: number): string | null {
  return checkInteger(n, SEED_RANGE);
}

export function checkPidMax(n: number): string | null {
  return checkInteger(n, PID_MAX_RANGE);
}

/** Null for a CPU preset's name, else a phrase listing them. */
export function checkCpuName(name: string): string | null {
  return isCpuName(name) ? null : `unknown CPU '${name}' (${CPU_NAMES.join(", ")})`;
}

/** A number as a person wrote it: `.inf` and `.nan` (YAML), 1e400, not JSON's null. */
export function showNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN (not a number)";
  if (!Number.isFinite(n)) return `${n < 0 ? "-" : ""}infinity`;
  return String(n);
}

/** Ways of a TLB given only its entry count: 4 like the Intel parts. */
const DEFAULT_WAYS = 4;
const MAX_TLB_ENTRIES = 65536;

/**
 * The TLB of `entries` entries when no ways are given: 4-way, or fully
 * associative with 1 or 2 entries; a phrase when it is neither.
 */
export function tlbOfEntries(entries: number): TlbChoice | string {
  const range = entriesProblem(entries);
  if (range !== null) return range;
  if (entries % DEFAULT_WAYS === 0) return { entries, ways: DEFAULT_WAYS };
  if (entries < DEFAULT_WAYS && isPowerOfTwo(entries)) return { entries, ways: entries };
  return `${entries} entries cannot be split into ${DEFAULT_WAYS} ways (entries must be a multiple of ${DEFAULT_WAYS}, or 1, 2 for a fully associative TLB)`;
}

/** Null if `entries` by `ways` is a TLB the MMU can build (ways a power of two dividing entries), else a phrase. */
export function checkTlb(entries: number, ways: number): string | null {
  const problem = entriesProblem(entries) ?? checkWays(ways);
  if (problem !== null) return problem;
  if (entries % ways !== 0) return `${entries} entries cannot be split into ${ways} ways (entries must be a multiple of the ways)`;
  return null;
}

/** Null if a set can have `ways` entries: the TLB's tree pseudo-LRU needs a power of two. */
export function checkWays(ways: number): string | null {
  if (Number.isInteger(ways) && ways >= 1 && isPowerOfTwo(ways)) return null;
  return `${ways} ways is not a power of two (1, 2, 4, 8, ...: the TLB's pseudo-LRU is a binary tree)`;
}

function entriesProblem(entries: number): string | null {
  if (!Number.isInteger(entries) || entries < 1 || entries > MAX_TLB_ENTRIES) return `TLB entries ${showNumber(entries)} out of range (1 to ${MAX_TLB_ENTRIES})`;
  return null;
}

function isPowerOfTwo(n: number): boolean {
  return (n & (n - 1)) === 0;
}
