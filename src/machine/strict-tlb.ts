/**
 * Strict TLB mode: a missing-invalidation detector.
 *
 * Hardware serves an access from a TLB entry without looking at the page
 * tables again, so a kernel that changes a PTE and forgets INVLPG (or a CR3
 * reload) runs on silently with the old translation. In strict mode the MMU
 * compares every access served by an entry with a side-effect-free walk of
 * the tables in memory and hands any difference to this checker, which
 * records it with the last write to the PDE/PTE behind the entry.
 *
 * What counts as a mismatch: the page is no longer present (or its 4 MiB
 * PDE now has a reserved bit), the frame differs, the effective U/S or R/W
 * differ, or the entry says Dirty while the PTE's D is now clear (writes
 * through it would never set D again: a lost dirty page). Accessed is not
 * compared: clearing A without a flush only makes a page look idle, which
 * kernels accept. An entry cached with D clear while the PTE now has D set
 * is harmless too (the next write walks), so it is not reported either.
 *
 * Writes are tracked through PhysicalMemory.writeObserver, for the words
 * that ever filled an entry; the MMU's own A/D updates are not recorded (they
 * are not what went stale). Strict mode is slow; the normal path never
 * reaches this file.
 */

import { PTE, hex32 } from "./i386.js";
import type { PhysicalMemory } from "./physical-memory.js";

/** A write to a paging-structure word that backs (or backed) a TLB entry. */
export interface PagingWrite {
  /** Physical address of the word. */
  readonly pa: number;
  readonly oldValue: number;
  readonly newValue: number;
  /** 1-based sequence number among the recorded writes. */
  readonly seq: number;
  /** MMU translations done before the write. */
  readonly atTranslation: number;
}

/** One translation as the TLB cached it or as the page tables now give it. */
export interface TranslationView {
  readonly present: boolean;
  readonly pfn: number;
  /** PTE.RW | PTE.USER | PTE.DIRTY of the effective entry. */
  readonly bits: number;
}

export interface StrictViolation {
  /** The accessed linear address. */
  readonly va: number;
  /** W|U bits of the access. */
  readonly kind: number;
  /** MMU translations done before this one. */
  readonly atTranslation: number;
  readonly cached: TranslationView;
  readonly current: TranslationView;
  /** Physical addresses of the PDE and PTE behind the entry (equal for a 4 MiB page). */
  readonly pdeAddr: number;
  readonly pteAddr: number;
  /** The last write to the PTE (or else the PDE) since they were cached; null if none seen. */
  readonly lastWrite: PagingWrite | null;
  /** One line saying all of the above. */
  readonly message: string;
}

export const STRICT_VIOLATIONS_KEPT = 1000;
const RIGHTS = PTE.RW | PTE.USER;

export class StrictTlbChecker {
  /** The first STRICT_VIOLATIONS_KEPT violations. */
  readonly violations: StrictViolation[] = [];
  /** Every violation, kept or not. */
  count = 0;
  /** Set by the MMU around its own A/D writes so they are not blamed. */
  mmuWriting = false;
  private readonly watched = new Set<number>();
  private readonly lastWrites = new Map<number, PagingWrite>();
  private seq = 0;

  /** `clock()` gives the MMU's translation count, to stamp writes and violations. */
  constructor(
    memory: PhysicalMemory,
    private readonly clock: () => number,
  ) {
    const previous = memory.writeObserver;
    memory.writeObserver = (pa, oldValue, newValue) => {
      if (previous !== null) previous(pa, oldValue, newValue);
      if (this.mmuWriting || oldValue === newValue || !this.watched.has(pa)) return;
      this.lastWrites.set(pa, { pa, oldValue, newValue, seq: ++this.seq, atTranslation: this.clock() });
    };
  }

  /** Starts tracking writes to the words an entry was filled from. */
  watch(pdeAddr: number, pteAddr: number): void {
    this.watched.add(pdeAddr >>> 0);
    this.watched.add(pteAddr >>> 0);
  }

  /** Compares a cached translation with the tables' current one; records a violation if they differ. */
  compare(va: number, kind: number, cached: TranslationView, current: TranslationView, pdeAddr: number, pteAddr: number): void {
    const problem = mismatch(cached, current);
    if (problem === null) return;
    this.count++;
    if (this.violations.length >= STRICT_VIOLATIONS_KEPT) return;
    const lastWrite = this.lastWrites.get(pteAddr >>> 0) ?? this.lastWrites.get(pdeAddr >>> 0) ?? null;
    const message =
      `stale TLB entry for ${hex32(va)} (${problem}): cached ${describe(cached)}, page tables now ${describe(current)}; ` +
      (lastWrite === null
        ? "no write to its PDE/PTE was seen"
        : `last write to ${lastWrite.pa === pteAddr >>> 0 ? "PTE" : "PDE"} at ${hex32(lastWrite.pa)}: ` +
          `${hex32(lastWrite.oldValue)} -> ${hex32(lastWrite.newValue)} (write #${lastWrite.seq}, after ${lastWrite.atTranslation} translations)`);
    this.violations.push({ va: va >>> 0, kind, atTranslation: this.clock(), cached, current, pdeAddr: pdeAddr >>> 0, pteAddr: pteAddr >>> 0, lastWrite, message });
  }
}

/** Why `cached` no longer stands for `current`, or null if it still does. */
function mismatch(cached: TranslationView, current: TranslationView): string | null {
  if (!current.present) return "page no longer present";
  if (current.pfn !== cached.pfn) return "frame changed";
  if (((current.bits ^ cached.bits) & RIGHTS) !== 0) return "rights changed";
  if ((cached.bits & PTE.DIRTY) !== 0 && (current.bits & PTE.DIRTY) === 0) return "Dirty cleared";
  return null;
}

function describe(t: TranslationView): string {
  if (!t.present) return "not present";
  const flags = [(t.bits & PTE.RW) !== 0 ? "RW" : "RO", (t.bits & PTE.USER) !== 0 ? "U" : "S", (t.bits & PTE.DIRTY) !== 0 ? "D" : "-"];
  return `pfn 0x${t.pfn.toString(16).padStart(5, "0")} ${flags.join(" ")}`;
}
