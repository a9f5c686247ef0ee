/**
 * i386 paging facts, in one place (Intel SDM Vol. 3A, ch. 4, "32-bit paging").
 *
 * Everything here is hardware: entry bits, address splits, control-register
 * bits and the page-fault error code. Kernel policy (what the OS-available
 * bits 9-11 mean) lives in `src/kernel/`, never here; the MMU ignores them.
 */

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const PAGE_OFFSET_MASK = 0xfff;
/** Frame address bits of a PDE/PTE (31..12). */
export const FRAME_MASK = 0xfffff000 | 0;
export const ENTRIES_PER_TABLE = 1024;
/** Bytes mapped by one page-directory entry. */
export const PDE_SPAN = 4 * 1024 * 1024;
export const LARGE_PAGE_SHIFT = 22;
/** Frame address bits of a 4 MiB PDE (31..22). */
export const LARGE_FRAME_MASK = 0xffc00000 | 0;

/** Bits of a page-directory or page-table entry. */
export const PTE = {
  PRESENT: 1 << 0,
  RW: 1 << 1,
  USER: 1 << 2,
  PWT: 1 << 3,
  PCD: 1 << 4,
  ACCESSED: 1 << 5,
  DIRTY: 1 << 6,
  /** PAT in a 4 KiB PTE; PS (4 MiB page) in a PDE. */
  PAT: 1 << 7,
  PS: 1 << 7,
  GLOBAL: 1 << 8,
  /** Bits 9-11: ignored by the MMU, free for the OS. */
  AVAILABLE_MASK: 0xe00,
} as const;

/**
 * Bits 21..13 of a 4 MiB PDE: PSE-36 high address bits (20..13) and bit 21,
 * which must be zero on a 32-bit-physical processor (SDM 4.3, table 4-4).
 * Bit 21 set gives a reserved-bit fault; bits 20..13 are the PSE-36 extension
 * this model does not implement, so they are treated as reserved too.
 */
export const LARGE_PDE_RESERVED_MASK = 0x003fe000;

/** Bits of the #PF error code pushed by the CPU. */
export const PF = {
  /** 0: not present; 1: protection violation. */
  PRESENT: 1 << 0,
  WRITE: 1 << 1,
  USER: 1 << 2,
  RSVD: 1 << 3,
  INSTRUCTION: 1 << 4,
} as const;

/**
 * What an access is, encoded as the W and U bits of the #PF error code so a
 * fault's error code is `kind | P`. A plain supervisor read is 0.
 */
export const ACCESS = {
  READ: 0,
  WRITE: PF.WRITE,
  USER: PF.USER,
  USER_READ: PF.USER,
  USER_WRITE: PF.USER | PF.WRITE,
} as const;
export type AccessKind = number;

export const CR0 = { PE: 1 << 0, WP: 1 << 16, PG: 1 << 31 } as const;
export const CR4 = { PSE: 1 << 4, PAE: 1 << 5, PGE: 1 << 7 } as const;

/** Directory index: bits 31..22 of a linear address. */
export function pdIndex(va: number): number {
  return va >>> 22;
}
/** Table index: bits 21..12 of a linear address. */
export function ptIndex(va: number): number {
  return (va >>> 12) & 0x3ff;
}
/** Linear address of directory slot `pdi`, table slot `pti`. */
export function vaFromIndices(pdi: number, pti: number): number {
  return ((pdi << 22) | (pti << 12)) >>> 0;
}
export function pageAlignDown(a: number): number {
  return (a & FRAME_MASK) >>> 0;
}
export function pageAlignUp(a: number): number {
  return a % PAGE_SIZE === 0 ? a : a - (a % PAGE_SIZE) + PAGE_SIZE;
}
export function hex32(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
