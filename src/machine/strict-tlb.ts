/**
 * Strict TLB mode: a missing-invalidation detector.
 *
 * Hardware serves an access from a TLB entry without looking at the page
 * tables again, so a kernel that changes a PTE and forgets INVLPG (or a CR3
 * reload) runs on silently with the old translation. In strict mode the MMU
 * compares every access served by an entry with a side-effect-free walk of
 * the tables in memory and hands any difference to this checker, which
 * records it with the write that made the entry stale: the latest write to
 * its PDE or PTE made after the entry was filled (earlier writes were seen
 * by the walk that filled it, so they cannot be the cause).
 *
 * What counts as a mismatch: the entry lets through what the tables no
 * longer allow. The page is no longer present (or its 4 MiB PDE now has a
 * reserved bit), the frame differs, the entry grants U/S or R/W the tables
 * have taken away, or it says Dirty while the PTE's D is now clear (writes
 * through it would never set D again: a lost dirty page). Rights raised
 * without a flush are not reported: the stale entry only refuses more than
 * the tables do, the CPU raises #PF on it and the kernel resolves that as a
 * spurious fault (SDM 4.10.4.3 allows exactly this; Linux upgrades PTEs
 * lazily and relies on it), counted in vmm386.spurious_fault. Accessed is
 * not compared: clearing A without a flush only makes a page look idle,
 * which kernels accept. An entry cached with D clear while the PTE now has
 * D set is harmless too (the next write walks), so it is not reported
 * either.
 *
 * Writes are tracked through PhysicalMemory.writeObserver, for the words
 * that ever filled an entry, bulk frame writes included; the MMU's own A/D
 * updates are not recorded (they are not what went stale). Strict mode is
 * slow; the normal path never reaches this file.
 */

import { PAGE_SHIFT, PTE, hex32 } from "./i386.js";
import type { PhysicalMemory, WriteObserver } from "./physical-memory.js";

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
  /** The latest write to the PDE or PTE made after the entry was filled; null if none was seen. */
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
  /** Frames holding a watched word, so that bulk writes to other frames cost nothing. */
  private readonly watchedFrames = new Set<number>();
  private readonly lastWrites = new Map<number, PagingWrite>();
  /** Per TLB slot: `seq` when its entry was filled; only writes numbered above it can have made it stale. */
  private readonly filledAt = new Map<number, number>();
  private seq = 0;

  /** `clock()` gives the MMU's translation count, to stamp writes and violations. */
  constructor(
    memory: PhysicalMemory,
    private readonly clock: () => number,
  ) {
    const previous = memory.writeObserver;
    const observer: WriteObserver = {
      wordWritten: (pa, oldValue, newValue) => {
        if (previous !== null) previous.wordWritten(pa, oldValue, newValue);
        if (this.mmuWriting || oldValue === newValue || !this.watched.has(pa)) return;
        this.lastWrites.set(pa, { pa, oldValue, newValue, seq: ++this.seq, atTranslation: this.clock() });
      },
      watchesFrame: (pfn) => this.watchedFrames.has(pfn) || (previous !== null && previous.watchesFrame(pfn)),
    };
    memory.writeObserver = observer;
  }

  /** The TLB filled `slot` from these words: track writes to them from now on. */
  watch(slot: number, pdeAddr: number, pteAddr: number): void {
    for (const pa of [pdeAddr >>> 0, pteAddr >>> 0]) {
      this.watched.add(pa);
      this.watchedFrames.add(pa >>> PAGE_SHIFT);
    }
    this.filledAt.set(slot, this.seq);
  }

  /**
   * Compares the translation cached in `slot` with the tables' current one;
   * records a violation if they differ.
   */
  compare(slot: number, va: number, kind: number, cached: TranslationView, current: TranslationView, pdeAddr: number, pteAddr: number): void {
    const problem = mismatch(cached, current);
    if (problem === null) return;
    this.count++;
    if (this.violations.length >= STRICT_VIOLATIONS_KEPT) return;
    const lastWrite = this.writeAfterFill(slot, pdeAddr >>> 0, pteAddr >>> 0);
    const message =
      `stale TLB entry for ${hex32(va)} (${problem}): cached ${describe(cached)}, page tables now ${describe(current)}; ` +
      (lastWrite === null
        ? "no write to its PDE/PTE was seen since it was filled"
        : `last write to ${lastWrite.pa === pteAddr >>> 0 ? "PTE" : "PDE"} at ${hex32(lastWrite.pa)}: ` +
          `${hex32(lastWrite.oldValue)} -> ${hex32(lastWrite.newValue)} (write #${lastWrite.seq}, after ${lastWrite.atTranslation} translations)`);
    this.violations.push({ va: va >>> 0, kind, atTranslation: this.clock(), cached, current, pdeAddr: pdeAddr >>> 0, pteAddr: pteAddr >>> 0, lastWrite, message });
  }

  /** The latest write to `pdeAddr` or `pteAddr` made after `slot` was filled, or null. */
  private writeAfterFill(slot: number, pdeAddr: number, pteAddr: number): PagingWrite | null {
    const filled = this.filledAt.get(slot) ?? 0;
    let latest: PagingWrite | null = null;
    for (const pa of [pdeAddr, pteAddr]) {
      const w = this.lastWrites.get(pa);
      if (w !== undefined && w.seq > filled && (latest === null || w.seq > latest.seq)) latest = w;
    }
    return latest;
  }
}

/** Why `cached` no longer stands for `current`, or null if it still does (what strict mode reports; inspectors flag stale entries by it). */
export function mismatch(cached: TranslationView, current: TranslationView): string | null {
  if (!current.present) return "page no longer present";
  if (current.pfn !== cached.pfn) return "frame changed";
  if ((cached.bits & ~current.bits & RIGHTS) !== 0) return "rights revoked";
  if ((cached.bits & PTE.DIRTY) !== 0 && (current.bits & PTE.DIRTY) === 0) return "Dirty cleared";
  return null;
}

function describe(t: TranslationView): string {
  if (!t.present) return "not present";
  const flags = [(t.bits & PTE.RW) !== 0 ? "RW" : "RO", (t.bits & PTE.USER) !== 0 ? "U" : "S", (t.bits & PTE.DIRTY) !== 0 ? "D" : "-"];
  return `pfn 0x${t.pfn.toString(16).padStart(5, "0")} ${flags.join(" ")}`;
}
