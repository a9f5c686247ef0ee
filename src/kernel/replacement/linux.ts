/**
 * Linux's two-list LRU for anonymous pages with refault-distance working-set
 * detection, as mm/vmscan.c and mm/workingset.c do it (Linux 5.9+, where new
 * anonymous pages start on the inactive list). Every rule names the kernel
 * function it follows; docs/policies.md says where the model is coarser.
 *
 * - A new page goes to the head of the inactive list (folio_add_lru,
 *   lru_cache_add_inactive_or_unevictable); a refault the working set
 *   claims goes to the head of the active list (workingset_refault).
 * - Reclaim takes pages from the inactive list's tail (shrink_inactive_list)
 *   and checks their references (folio_check_references): not referenced
 *   since the last check → reclaimed; referenced with PG_referenced already
 *   set → activated (pgactivate, and the non-resident age moves on, as
 *   move_folios_to_lru does for active pages); referenced for the first time
 *   → PG_referenced set, kept at the inactive head for another trip.
 * - Before reclaiming, the lists are balanced (prepare_scan_count,
 *   shrink_list): when the inactive list is low (inactive_is_low: inactive
 *   × ratio < active, ratio = int_sqrt(10 × GiB) or 1 below 1 GiB) or a
 *   refault was activated since the last reclaim, the active list's tail is
 *   deactivated to the inactive head (shrink_active_list: its Accessed bits
 *   are cleared, ignored for anonymous pages, PG_workingset set,
 *   pgdeactivate) — at least one page, and on until the inactive list is no
 *   longer low.
 * - Eviction leaves a shadow entry (workingset_eviction): the non-resident
 *   age at eviction and PG_workingset; the age then moves on by one.
 * - On refault (workingset_refault): workingset_refault_anon; if the
 *   refault distance (age now − age at eviction) is ≤ the active list's
 *   size (workingset_test_recent, anonymous pages with free swap), the page
 *   is activated (workingset_activate_anon, the age moves on) and, if it was
 *   PG_workingset, workingset_restore_anon.
 *
 * Linux reclaims in batches of 32 and scans both lists in proportion to
 * their sizes; the VMM evicts one page at a time, so here each selectVictim
 * is one reclaim pass for one page. State is typed arrays per frame: the
 * lists, and PG_referenced / PG_workingset / PG_active-at-insert bits.
 */
import { FrameLists, holdFrame, rotateHeld } from "./frame-lists.js";
import { type PolicyOptions, type ReplacementHost, type ReplacementPolicy, type WorkingSetHooks, type WorkingSetStat, workingSetStatIn } from "./policy.js";
import type { ListedPolicy, PolicyList } from "./policy-lists.js";

const INACTIVE = 0;
const ACTIVE = 1;
/** Frames whose eviction failed since the last successful one (see `keep`). */
const HELD = 2;

/** PG_referenced: referenced at the last reference check. */
export const PG_REFERENCED = 1;
/** PG_workingset: the page was active (deactivated, or restored by a refault). */
export const PG_WORKINGSET = 2;
/** PG_active set by workingset_refault: the coming insert goes to the active list. */
const PG_ACTIVE = 4;

/** Pages per GiB (inactive_is_low's `gb`). */
const GIB_SHIFT = 30 - 12;

export class LinuxLruPolicy implements ReplacementPolicy, WorkingSetHooks, ListedPolicy {
  readonly name = "linux";
  readonly observesReferences = false;
  readonly workingSet: WorkingSetHooks = this;
  /** The counters this policy keeps (the VMM's vmstat, or its own). */
  readonly stat: WorkingSetStat;
  /** Inactive, active and held lists; head = most recently added. */
  private readonly lru: FrameLists;
  private readonly flags: Uint8Array;
  private readonly host: ReplacementHost;
  /** lruvec->nonresident_age: evictions and activations so far. */
  private age = 0;
  /** workingset_activate_anon at the last reclaim (snapshot_refaults). */
  private activationsSeen = 0;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.lru = new FrameLists(options.maxFrames, 3);
    this.flags = new Uint8Array(options.maxFrames);
    this.host = options.host;
    this.stat = workingSetStatIn(options.counters);
  }

  get size(): number {
    return this.lru.size(INACTIVE) + this.lru.size(ACTIVE) + this.lru.size(HELD);
  }

  /** lruvec->nonresident_age. */
  get nonresidentAge(): number {
    return this.age;
  }

  /** PG_referenced and PG_workingset of `pfn` (PG_REFERENCED | PG_WORKINGSET bits). */
  pageFlags(pfn: number): number {
    return this.flags[pfn] & (PG_REFERENCED | PG_WORKINGSET);
  }

  /** A new page on the inactive list; a refault the working set claimed on the active list. */
  insert(pfn: number, _key: number): void {
    this.lru.remove(pfn);
    if ((this.flags[pfn] & PG_ACTIVE) !== 0) {
      this.flags[pfn] &= ~PG_ACTIVE;
      this.lru.pushHead(ACTIVE, pfn);
    } else {
      this.lru.pushHead(INACTIVE, pfn);
    }
  }

  /** Removing the offered victim is a successful eviction: held frames are activated (activate_locked). */
  remove(pfn: number): void {
    this.lru.remove(pfn);
    this.flags[pfn] = 0;
    if (pfn !== this.offered) return;
    this.offered = -1;
    for (let f = this.lru.tail(HELD); f >= 0; f = this.lru.tail(HELD)) this.activate(f);
  }

  reference(_pfn: number): void {
    // References are Accessed bits, read at the reference checks.
  }

  /** One reclaim pass: balance the lists, then scan the inactive tail until a page is reclaimable. */
  selectVictim(_incomingKey?: number): number {
    this.balance();
    for (;;) {
      const f = this.lru.tail(INACTIVE);
      if (f < 0) {
        if (this.deactivateTail()) continue;
        return (this.offered = rotateHeld(this.lru));
      }
      if (this.checkReferences(f)) return (this.offered = f);
    }
  }

  keep(pfn: number): void {
    holdFrame(this.lru, pfn);
    if (pfn === this.offered) this.offered = -1;
  }

  /** workingset_eviction: the shadow is the non-resident age and PG_workingset; the age moves on. */
  evicted(pfn: number): number {
    const shadow = this.age * 2 + ((this.flags[pfn] & PG_WORKINGSET) !== 0 ? 1 : 0);
    this.age++;
    return shadow;
  }

  /** workingset_refault: activate when the refault distance fits in the active list. */
  refault(pfn: number, shadow: number): void {
    this.stat.workingset_refault_anon++;
    const eviction = Math.floor(shadow / 2);
    const wasWorkingset = shadow % 2 === 1;
    if (this.age - eviction > this.lru.size(ACTIVE)) return;
    this.flags[pfn] |= PG_ACTIVE;
    this.age++;
    this.stat.workingset_activate_anon++;
    if (!wasWorkingset) return;
    this.flags[pfn] |= PG_WORKINGSET;
    this.stat.workingset_restore_anon++;
  }

  lists(): PolicyList[] {
    return [
      { name: "inactive", frames: this.framesOf(INACTIVE) },
      { name: "active", frames: this.framesOf(ACTIVE) },
      { name: "held", frames: this.framesOf(HELD) },
    ];
  }

  audit(): string[] {
    const out: string[] = [];
    for (let f = 0; f < this.flags.length; f++) {
      const listed = this.lru.listOf(f) >= 0;
      if (listed && (this.flags[f] & PG_ACTIVE) !== 0) out.push(`linux: frame ${f} is listed with a refault's PG_active still pending`);
      if (!listed && this.flags[f] !== 0) out.push(`linux: frame ${f} is on no list but has flags ${this.flags[f]}`);
    }
    return out;
  }

  /**
   * prepare_scan_count + shrink_list: deactivate when the inactive list is
   * low or a refault was activated since the last reclaim (snapshot_refaults).
   */
  private balance(): void {
    const refaulted = this.stat.workingset_activate_anon !== this.activationsSeen;
    this.activationsSeen = this.stat.workingset_activate_anon;
    if (!refaulted && !this.inactiveIsLow()) return;
    while (this.deactivateTail() && this.inactiveIsLow());
  }

  /** inactive_is_low for the anonymous lists. */
  private inactiveIsLow(): boolean {
    const inactive = this.lru.size(INACTIVE);
    const active = this.lru.size(ACTIVE);
    const gb = (inactive + active) >>> GIB_SHIFT;
    const ratio = gb === 0 ? 1 : Math.floor(Math.sqrt(10 * gb));
    return inactive * ratio < active;
  }

  /** shrink_active_list for one page: the active tail goes to the inactive head, PG_workingset set. */
  private deactivateTail(): boolean {
    const f = this.lru.tail(ACTIVE);
    if (f < 0) return false;
    // folio_referenced clears the young bits; anonymous pages are deactivated whatever it says.
    this.host.testAndClearReferenced(f);
    this.flags[f] |= PG_WORKINGSET;
    this.lru.remove(f);
    this.lru.pushHead(INACTIVE, f);
    this.stat.pgdeactivate++;
    return true;
  }

  /** folio_check_references for inactive page `f`: true to reclaim it; else it is kept or activated. */
  private checkReferences(f: number): boolean {
    const referencedPtes = this.host.testAndClearReferenced(f);
    const referencedPage = (this.flags[f] & PG_REFERENCED) !== 0;
    this.flags[f] &= ~PG_REFERENCED;
    if (!referencedPtes) return true;
    this.flags[f] |= PG_REFERENCED;
    if (referencedPage) this.activate(f);
    else this.lru.moveToHead(INACTIVE, f);
    return false;
  }

  /** activate_locked + move_folios_to_lru: to the active head; pgactivate; the non-resident age moves on. */
  private activate(f: number): void {
    this.lru.remove(f);
    this.lru.pushHead(ACTIVE, f);
    this.stat.pgactivate++;
    this.age++;
  }

  private framesOf(list: number): number[] {
    const out: number[] = [];
    for (let f = this.lru.head(list); f >= 0; f = this.lru.older(f)) out.push(f);
    return out;
  }
}
