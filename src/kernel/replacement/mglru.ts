/**
 * The multi-generational LRU (MGLRU) for anonymous pages, as mm/vmscan.c,
 * mm/workingset.c and include/linux/mm_inline.h do it (Linux 6.5–6.8, with
 * MAX_NR_GENS 4, MIN_NR_GENS 2, MAX_NR_TIERS 4 and one histogram
 * generation); docs/policies.md gives each rule with its function.
 *
 * - Generations are numbered min_seq..max_seq (at most 4 live); a frame's
 *   generation is seq mod 4. A page faulted in is active: it goes to max_seq
 *   − 1, or to max_seq when a refault made it PG_workingset
 *   (lru_gen_folio_seq), at the head of that generation's list.
 * - Aging (try_to_inc_max_seq) asks the host to walk the page tables
 *   (harvestReferenced, Linux's walk_mm): each referenced page moves to the
 *   generation max_seq, its refs and flags cleared (folio_update_gen; the
 *   list is fixed lazily by sort_folio); then max_seq grows by one, born
 *   now (inc_max_seq). It runs when only two generations are left, or with
 *   three when the youngest holds over half the pages or the oldest under a
 *   quarter (should_run_aging).
 * - Eviction takes the oldest generation's tail (scan_folios): a page whose
 *   generation moved on is put on its list (sort_folio); a page in a tier
 *   above the controller's index, or with the most refs, is protected into
 *   the next generation (sort_folio, folio_inc_gen); otherwise its
 *   references are checked through the rmap (folio_check_references): a
 *   referenced page goes back as active (max_seq − 1), an unreferenced one
 *   is the victim. An empty oldest generation is retired
 *   (try_to_inc_min_seq).
 * - Tiers: a page's refs are its LRU_REFS count plus PG_workingset (for
 *   anonymous pages only refaults set them: all refs and PG_workingset);
 *   its tier is order_base_2(refs + 1). Refaults and evictions (plus
 *   protections) per tier feed the PID controller that picks the highest
 *   tier reclaim may take (get_tier_idx, positive_ctrl_err); the counts are
 *   halved into averages as each oldest generation retires (reset_ctrl_pos).
 * - Eviction leaves a shadow with min_seq and the refs (lru_gen_eviction);
 *   a refault is recent when evicted from the current oldest generation
 *   (lru_gen_test_recent): then workingset_activate_anon and, as it is in a
 *   fault, workingset_restore_anon, all refs and PG_workingset
 *   (lru_gen_refault).
 * - min_ttl (Linux's min_ttl_ms, here in ticks): while the oldest
 *   generation is younger than that, nothing is evicted and the allocation
 *   fails — the faulting process dies out of memory, where Linux's kswapd
 *   would call the OOM killer (lru_gen_age_node).
 *
 * Without a host walk (the policy-only replay's plain bits), aging only adds
 * a generation and references are found by the rmap checks, as Linux does on
 * hardware without Accessed bits in page tables (iterate_mm_list_nowalk).
 */
import { FrameLists, holdFrame, rotateHeld } from "./frame-lists.js";
import {
  type PolicyOptions,
  type ReferencedFrameSink,
  type ReplacementHost,
  type ReplacementPolicy,
  type WorkingSetHooks,
  type WorkingSetStat,
  workingSetStatIn,
} from "./policy.js";
import { type PolicyParamSpec, paramOf } from "./params.js";
import type { ListedPolicy, PolicyList } from "./policy-lists.js";

export const MAX_NR_GENS = 4;
export const MIN_NR_GENS = 2;
export const MAX_NR_TIERS = 4;
/** Bits of the LRU_REFS counter: refs saturate at 2^LRU_REFS_WIDTH - 1. */
const LRU_REFS_MASK = (1 << 2) - 1;
/** A page with this many refs (all counter bits and PG_workingset) is always protected once. */
const MAX_REFS = 1 << 2;
const MIN_LRU_BATCH = 64;
/** The list of frames whose eviction failed (after the generations' lists). */
const HELD = MAX_NR_GENS;

export const PG_WORKINGSET = 2;

/** `mglru:min_ttl=TICKS`. */
export const MGLRU_PARAMS: readonly PolicyParamSpec[] = [
  {
    key: "min_ttl",
    default: 0,
    min: 0,
    max: 0x7fffffff,
    integer: true,
    about: "ticks the oldest generation must have lived before anything is evicted, else the allocation fails (Linux's min_ttl_ms; 0: off)",
  },
];

/** Per-tier refault statistics of the current oldest generation and their running averages (lru_gen_folio). */
export interface TierStats {
  readonly refaulted: readonly number[];
  readonly evicted: readonly number[];
  /** Protected by sort_folio, tiers 1..3 (index tier − 1). */
  readonly protected: readonly number[];
  readonly avgRefaulted: readonly number[];
  readonly avgTotal: readonly number[];
}

/** order_base_2(n): the smallest k with 2^k ≥ n (0 for n ≤ 1). */
function orderBase2(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

/** lru_tier_from_refs. */
function tierFromRefs(refs: number): number {
  return orderBase2(refs + 1);
}

export class MglruPolicy implements ReplacementPolicy, WorkingSetHooks, ReferencedFrameSink, ListedPolicy {
  readonly name = "mglru";
  readonly observesReferences = false;
  readonly workingSet: WorkingSetHooks = this;
  readonly stat: WorkingSetStat;
  /** Ticks the oldest generation must have lived before anything is evicted (0: off). */
  readonly minTtl: number;
  /** Evictions refused because the oldest generation was younger than min_ttl. */
  ttlRefusals = 0;
  /** Agings run (generations created). */
  agings = 0;

  /** One list per generation (seq mod 4) plus the held list; head = most recently added. */
  private readonly lru: FrameLists;
  /** Each frame's generation (seq mod 4), -1 when on no generation (untracked or held). */
  private readonly genOf: Int8Array;
  /** The LRU_REFS counter of each frame. */
  private readonly refs: Uint8Array;
  private readonly flags: Uint8Array;
  /** Pages per generation, by genOf (lrugen->nr_pages). */
  private readonly nrPages = new Int32Array(MAX_NR_GENS);
  /** Birth tick of each generation (lrugen->timestamps). */
  private readonly timestamps = new Float64Array(MAX_NR_GENS);
  private readonly refaulted = new Float64Array(MAX_NR_TIERS);
  private readonly evictedCount = new Float64Array(MAX_NR_TIERS);
  private readonly protectedCount = new Float64Array(MAX_NR_TIERS - 1);
  private readonly avgRefaulted = new Float64Array(MAX_NR_TIERS);
  private readonly avgTotal = new Float64Array(MAX_NR_TIERS);
  private readonly host: ReplacementHost;
  private readonly clock: { readonly now: number };
  private minSeqValue = 0;
  private maxSeqValue = MIN_NR_GENS + 1;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.lru = new FrameLists(options.maxFrames, MAX_NR_GENS + 1);
    this.genOf = new Int8Array(options.maxFrames).fill(-1);
    this.refs = new Uint8Array(options.maxFrames);
    this.flags = new Uint8Array(options.maxFrames);
    this.host = options.host;
    this.clock = options.clock ?? { now: 0 };
    this.stat = workingSetStatIn(options.counters);
    this.minTtl = paramOf(options, MGLRU_PARAMS[0]);
    this.timestamps.fill(this.clock.now);
  }

  get size(): number {
    let n = 0;
    for (let l = 0; l <= HELD; l++) n += this.lru.size(l);
    return n;
  }

  get minSeq(): number {
    return this.minSeqValue;
  }

  get maxSeq(): number {
    return this.maxSeqValue;
  }

  /** The sequence number of `pfn`'s generation, or -1 (not on a generation). */
  generationOf(pfn: number): number {
    const gen = this.genOf[pfn];
    return gen < 0 ? -1 : this.seqOfGen(gen);
  }

  /** Pages in generation `seq` (0 outside min_seq..max_seq). */
  pagesIn(seq: number): number {
    return seq < this.minSeqValue || seq > this.maxSeqValue ? 0 : this.nrPages[seq % MAX_NR_GENS];
  }

  /** Birth tick of generation `seq`. */
  birthOf(seq: number): number {
    return this.timestamps[seq % MAX_NR_GENS];
  }

  /** LRU_REFS and PG_workingset of `pfn`. */
  pageRefs(pfn: number): { refs: number; flags: number } {
    return { refs: this.refs[pfn], flags: this.flags[pfn] };
  }

  tierStats(): TierStats {
    return {
      refaulted: [...this.refaulted],
      evicted: [...this.evictedCount],
      protected: [...this.protectedCount],
      avgRefaulted: [...this.avgRefaulted],
      avgTotal: [...this.avgTotal],
    };
  }

  /** lru_gen_add_folio for a page faulted in (PG_active): max_seq − 1, or max_seq if PG_workingset. */
  insert(pfn: number, _key: number): void {
    this.lru.remove(pfn);
    this.addActive(pfn);
  }

  /** Removing the offered victim is a successful eviction: held frames go back as active pages. */
  remove(pfn: number): void {
    this.untrack(pfn);
    this.lru.remove(pfn);
    this.refs[pfn] = 0;
    this.flags[pfn] = 0;
    if (pfn !== this.offered) return;
    this.offered = -1;
    for (let f = this.lru.tail(HELD); f >= 0; f = this.lru.tail(HELD)) this.putBack(f);
  }

  reference(_pfn: number): void {
    // References are Accessed bits, harvested by aging and checked at eviction.
  }

  /** One eviction: min_ttl, aging when needed, then the oldest generation's tail. */
  selectVictim(_incomingKey?: number): number {
    if (this.minTtl > 0 && this.clock.now < this.timestamps[this.minSeqValue % MAX_NR_GENS] + this.minTtl) {
      this.ttlRefusals++;
      return -1;
    }
    if (this.size === this.lru.size(HELD)) return (this.offered = rotateHeld(this.lru));
    const tierIdx = this.tierIndex();
    for (;;) {
      if (this.shouldRunAging()) this.age();
      const f = this.lru.tail(this.minSeqValue % MAX_NR_GENS);
      if (f < 0) {
        if (!this.tryToIncMinSeq()) this.age();
        continue;
      }
      if (this.sortFolio(f, tierIdx)) continue;
      if (this.isolateAndCheck(f)) return (this.offered = f);
    }
  }

  keep(pfn: number): void {
    this.untrack(pfn);
    holdFrame(this.lru, pfn);
    if (pfn === this.offered) this.offered = -1;
  }

  /** lru_gen_eviction: the shadow holds min_seq and the refs; the tier's evictions are counted. */
  evicted(pfn: number): number {
    const refs = this.folioRefs(pfn);
    this.evictedCount[tierFromRefs(refs)]++;
    const token = this.minSeqValue * (LRU_REFS_MASK + 1) + Math.max(refs - 1, 0);
    return token * 2 + (refs !== 0 ? 1 : 0);
  }

  /** lru_gen_refault: a refault from the current oldest generation is restored to the working set. */
  refault(pfn: number, shadow: number): void {
    this.stat.workingset_refault_anon++;
    const token = Math.floor(shadow / 2);
    const seq = Math.floor(token / (LRU_REFS_MASK + 1));
    if (seq !== this.minSeqValue) return;
    const refs = (token % (LRU_REFS_MASK + 1)) + (shadow % 2);
    this.refaulted[tierFromRefs(refs)]++;
    this.stat.workingset_activate_anon++;
    // Every swap-in here is in a fault (lru_gen_in_fault): counted as a stall, all refs and PG_workingset.
    this.refs[pfn] = LRU_REFS_MASK;
    this.flags[pfn] |= PG_WORKINGSET;
    this.stat.workingset_restore_anon++;
  }

  /**
   * ReferencedFrameSink, during aging: folio_update_gen to max_seq. A held
   * frame (Linux: isolated) is skipped: it goes back as active, flags
   * cleared, after the next eviction anyway.
   */
  referencedFrame(pfn: number): void {
    const old = this.genOf[pfn];
    if (old < 0) return;
    const gen = this.maxSeqValue % MAX_NR_GENS;
    this.refs[pfn] = 0;
    this.flags[pfn] = 0;
    this.nrPages[old]--;
    this.nrPages[gen]++;
    this.genOf[pfn] = gen;
  }

  lists(): PolicyList[] {
    const out: PolicyList[] = [];
    for (let seq = this.minSeqValue; seq <= this.maxSeqValue; seq++) {
      const gen = seq % MAX_NR_GENS;
      const frames: number[] = [];
      for (let l = 0; l < MAX_NR_GENS; l++) for (let f = this.lru.head(l); f >= 0; f = this.lru.older(f)) if (this.genOf[f] === gen) frames.push(f);
      out.push({ name: `gen ${seq}`, seq, birth: this.timestamps[gen], frames });
    }
    const held: number[] = [];
    for (let f = this.lru.head(HELD); f >= 0; f = this.lru.older(f)) held.push(f);
    out.push({ name: "held", frames: held });
    return out;
  }

  audit(): string[] {
    const out: string[] = [];
    const live = this.maxSeqValue - this.minSeqValue + 1;
    if (live < MIN_NR_GENS || live > MAX_NR_GENS) out.push(`mglru: ${live} generations live (min_seq ${this.minSeqValue}, max_seq ${this.maxSeqValue})`);
    const counted = new Int32Array(MAX_NR_GENS);
    for (let f = 0; f < this.genOf.length; f++) {
      const gen = this.genOf[f];
      const list = this.lru.listOf(f);
      if (gen < 0) {
        if (list >= 0 && list !== HELD) out.push(`mglru: frame ${f} is on generation list ${list} with no generation`);
        continue;
      }
      counted[gen]++;
      // Promotion is lazy: a frame's generation is its list's or a younger one.
      if (list < 0 || list === HELD || this.seqOfGen(list) > this.seqOfGen(gen)) out.push(`mglru: frame ${f} of generation ${this.seqOfGen(gen)} is on list ${list}`);
    }
    for (let gen = 0; gen < MAX_NR_GENS; gen++) {
      if (counted[gen] !== this.nrPages[gen]) out.push(`mglru: generation ${this.seqOfGen(gen)} counts ${this.nrPages[gen]} pages, ${counted[gen]} frames are in it`);
    }
    return out;
  }

  /** The live sequence number whose generation is `gen` (the youngest such). */
  private seqOfGen(gen: number): number {
    return this.maxSeqValue - ((this.maxSeqValue - gen + MAX_NR_GENS) % MAX_NR_GENS);
  }

  /** Frames physically on generation `seq`'s list, newest first (tests: the lazy order sort_folio fixes). */
  listOrder(seq: number): number[] {
    const out: number[] = [];
    for (let f = this.lru.head(seq % MAX_NR_GENS); f >= 0; f = this.lru.older(f)) out.push(f);
    return out;
  }

  /** At max_seq − 1, or max_seq when PG_workingset, at the head of its list (lru_gen_folio_seq, active). */
  private addActive(pfn: number): void {
    const workingset = (this.flags[pfn] & PG_WORKINGSET) !== 0 ? 1 : 0;
    const seq = Math.max(this.maxSeqValue - (MIN_NR_GENS - workingset) + 1, this.minSeqValue);
    const gen = seq % MAX_NR_GENS;
    this.genOf[pfn] = gen;
    this.nrPages[gen]++;
    this.lru.pushHead(gen, pfn);
  }

  /** A page reclaim did not take goes back as active, refs and flags cleared (evict_folios' putback). */
  private putBack(f: number): void {
    this.untrack(f);
    this.lru.remove(f);
    this.refs[f] = 0;
    this.flags[f] = 0;
    this.addActive(f);
  }

  /** Takes `pfn` off its generation's count (its list is left to the caller). */
  private untrack(pfn: number): void {
    const gen = this.genOf[pfn];
    if (gen < 0) return;
    this.nrPages[gen]--;
    this.genOf[pfn] = -1;
  }

  /** folio_lru_refs: the LRU_REFS count plus PG_workingset. */
  private folioRefs(pfn: number): number {
    return this.refs[pfn] + ((this.flags[pfn] & PG_WORKINGSET) !== 0 ? 1 : 0);
  }

  /** should_run_aging: two generations left, or three with the youngest too big or the oldest too small. */
  private shouldRunAging(): boolean {
    const min = this.minSeqValue;
    const max = this.maxSeqValue;
    if (min + MIN_NR_GENS > max) return true;
    if (min + MIN_NR_GENS < max) return false;
    let total = 0;
    for (let seq = min; seq <= max; seq++) total += this.nrPages[seq % MAX_NR_GENS];
    const young = this.nrPages[max % MAX_NR_GENS];
    const old = this.nrPages[min % MAX_NR_GENS];
    return young * MIN_NR_GENS > total || old * (MIN_NR_GENS + 2) < total;
  }

  /**
   * try_to_inc_max_seq: the page-table walk promotes referenced pages to
   * max_seq, then inc_max_seq adds a generation born now. Aging runs with at
   * most three generations live, so inc_min_seq's forced retirement of a
   * fourth (for anonymous pages only without swap, where this VMM does not
   * reclaim at all) never applies.
   */
  private age(): void {
    this.host.harvestReferenced?.(this);
    this.timestamps[(this.maxSeqValue + 1) % MAX_NR_GENS] = this.clock.now;
    this.maxSeqValue++;
    this.agings++;
  }

  /** folio_inc_gen: to generation `gen`, refs and flags cleared. */
  private incGen(f: number, gen: number): void {
    this.nrPages[this.genOf[f]]--;
    this.nrPages[gen]++;
    this.genOf[f] = gen;
    this.refs[f] = 0;
    this.flags[f] = 0;
  }

  /** try_to_inc_min_seq: retire empty oldest generations while more than two are live. */
  private tryToIncMinSeq(): boolean {
    const before = this.minSeqValue;
    while (this.minSeqValue + MIN_NR_GENS <= this.maxSeqValue && this.lru.size(this.minSeqValue % MAX_NR_GENS) === 0) this.minSeqValue++;
    if (this.minSeqValue === before) return false;
    this.resetCtrlPos();
    return true;
  }

  /** reset_ctrl_pos with carryover: this generation's counts halve into the averages, then clear. */
  private resetCtrlPos(): void {
    for (let tier = 0; tier < MAX_NR_TIERS; tier++) {
      const protectedHere = tier > 0 ? this.protectedCount[tier - 1] : 0;
      this.avgRefaulted[tier] = Math.floor((this.avgRefaulted[tier] + this.refaulted[tier]) / 2);
      this.avgTotal[tier] = Math.floor((this.avgTotal[tier] + this.evictedCount[tier] + protectedHere) / 2);
    }
    this.refaulted.fill(0);
    this.evictedCount.fill(0);
    this.protectedCount.fill(0);
  }

  /** get_tier_idx: the highest tier reclaim may take, by the PID controller (tiers above are protected). */
  tierIndex(): number {
    const spRefaulted = this.avgRefaulted[0] + this.refaulted[0];
    const spTotal = this.avgTotal[0] + this.evictedCount[0];
    let tier = 1;
    for (; tier < MAX_NR_TIERS; tier++) {
      const pvRefaulted = this.avgRefaulted[tier] + this.refaulted[tier];
      const pvTotal = this.avgTotal[tier] + this.evictedCount[tier] + this.protectedCount[tier - 1];
      // positive_ctrl_err with gains 1 (tier 0) and 2.
      const positive = pvRefaulted < MIN_LRU_BATCH || pvRefaulted * (spTotal + MIN_LRU_BATCH) <= (spRefaulted + 1) * pvTotal * 2;
      if (!positive) break;
    }
    return tier - 1;
  }

  /** sort_folio: true if `f` was moved (promoted by aging, or protected by its tier). */
  private sortFolio(f: number, tierIdx: number): boolean {
    const gen = this.genOf[f];
    const oldest = this.minSeqValue % MAX_NR_GENS;
    if (gen !== oldest) {
      this.lru.remove(f);
      this.lru.pushHead(gen, f);
      return true;
    }
    const refs = this.folioRefs(f);
    const tier = tierFromRefs(refs);
    if (tier <= tierIdx && refs !== MAX_REFS) return false;
    this.protectedCount[tier - 1]++;
    const next = (this.minSeqValue + 1) % MAX_NR_GENS;
    this.incGen(f, next);
    this.lru.remove(f);
    this.lru.pushTail(next, f);
    return true;
  }

  /**
   * isolate_folio + folio_check_references: true if `f` is to be reclaimed,
   * else it goes back as active. Isolation clears the refs and
   * PG_workingset of a page without PG_referenced — which only a walk
   * meeting an isolated page would set, and reclaim here is one page at a
   * time.
   */
  private isolateAndCheck(f: number): boolean {
    this.refs[f] = 0;
    this.flags[f] = 0;
    if (!this.host.testAndClearReferenced(f)) return true;
    this.putBack(f);
    return false;
  }
}
