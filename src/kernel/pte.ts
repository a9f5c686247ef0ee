/**
 * What the kernel means by a page-table entry: the hardware bits of
 * `src/machine/i386.ts` plus the three OS-available bits 9-11 the MMU ignores
 * (seed-notes.md, "Facts the seed relies on").
 *
 * An entry is in exactly one of these states:
 *   - 0: nothing mapped;
 *   - present: frame number in bits 31..12, COW set when the frame is shared
 *     copy-on-write (then R/W is clear);
 *   - SWAPPED (not present): swap slot in bits 31..12, U/S, R/W and COW kept so
 *     swap-in restores the same rights;
 *   - DEMAND (not present): a zero-filled page on first touch, U/S and R/W kept.
 */

import { PTE } from "../machine/i386.js";

/** OS bits of an entry: the kernel's own meaning of bits 9-11. */
export const KPTE = {
  /** Shared read-only until written: the writer gets a private copy (or the frame, if alone). */
  COW: 1 << 9,
  /** Not present; bits 31..12 hold the swap slot. */
  SWAPPED: 1 << 10,
  /** Not present; allocate a zero-filled frame on first touch. */
  DEMAND: 1 << 11,
} as const;

/** Rights a non-present entry keeps for when the page comes back. */
export const KEPT_RIGHTS = PTE.USER | PTE.RW | KPTE.COW;

/** Frame number (or swap slot) of an entry. */
export function entryFrame(entry: number): number {
  return entry >>> 12;
}

export function isPresent(entry: number): boolean {
  return (entry & PTE.PRESENT) !== 0;
}

/** Entry of a page swapped out to `slot`, keeping U/S, R/W and COW of `entry`. */
export function swappedEntry(slot: number, entry: number): number {
  return (slot << 12) | KPTE.SWAPPED | (entry & KEPT_RIGHTS);
}

/** Present entry for frame `pfn` with the rights `flags` (P is added). */
export function presentEntry(pfn: number, flags: number): number {
  return (pfn << 12) | (flags & 0xfff) | PTE.PRESENT;
}

/** Demand-zero entry with the rights (U/S, R/W) of `flags`. */
export function demandEntry(flags: number): number {
  return KPTE.DEMAND | (flags & (PTE.USER | PTE.RW));
}

/** Entry of a page that lives in swap. */
export function isSwapped(entry: number): boolean {
  return (entry & (PTE.PRESENT | KPTE.SWAPPED)) === KPTE.SWAPPED;
}

/** Entry of a demand-zero page not yet touched. */
export function isDemand(entry: number): boolean {
  return (entry & (PTE.PRESENT | KPTE.SWAPPED | KPTE.DEMAND)) === KPTE.DEMAND;
}

/** Entry of a page shared copy-on-write (present, or kept across a swap-out). */
export function isCow(entry: number): boolean {
  return (entry & KPTE.COW) !== 0;
}

/** What an entry holds: one of the states above, "none" for 0, "other" for bits that are none of them. */
export type EntryState = "present" | "swapped" | "demand" | "none" | "other";

export function entryState(entry: number): EntryState {
  if (isPresent(entry)) return "present";
  if (isSwapped(entry)) return "swapped";
  if (isDemand(entry)) return "demand";
  return entry === 0 ? "none" : "other";
}

/** A write by the page's owner goes through or takes a private copy: R/W set, or COW. */
export function allowsOwnerWrite(entry: number): boolean {
  return (entry & PTE.RW) !== 0 || isCow(entry);
}

/** An entry's hardware bits by name (a directory entry's too): present, writable, user, accessed, dirty. */
export function hardwareFlags(entry: number): { readonly P: boolean; readonly RW: boolean; readonly US: boolean; readonly A: boolean; readonly D: boolean } {
  return { P: isPresent(entry), RW: (entry & PTE.RW) !== 0, US: (entry & PTE.USER) !== 0, A: (entry & PTE.ACCESSED) !== 0, D: (entry & PTE.DIRTY) !== 0 };
}

/** The entry's bits by name, as `inspect` shows them: U or S, W or R, then A, D and COW when set. */
export function entryFlags(entry: number): string[] {
  const flags = [(entry & PTE.USER) !== 0 ? "U" : "S", (entry & PTE.RW) !== 0 ? "W" : "R"];
  if ((entry & PTE.ACCESSED) !== 0) flags.push("A");
  if ((entry & PTE.DIRTY) !== 0) flags.push("D");
  if (isCow(entry)) flags.push("COW");
  return flags;
}
