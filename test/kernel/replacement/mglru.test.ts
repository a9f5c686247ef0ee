/**
 * MGLRU (mm/vmscan.c, mm/workingset.c, include/linux/mm_inline.h), rule by
 * rule: frames go through the policy with Accessed bits set by hand and a
 * host that walks them in frame order, as the VMM walks page tables; each
 * test checks the generations (min_seq..max_seq, which frame is in which)
 * and counters worked out in its comments.
 */
import { describe, expect, it } from "vitest";
import { MglruPolicy, PG_WORKINGSET } from "../../../src/kernel/replacement/mglru.js";
import { WalkableBits as Walkable } from "./accessed-bits.js";

function mglru(params?: Record<string, number>): { policy: MglruPolicy; host: Walkable; clock: { now: number } } {
  const host = new Walkable();
  const clock = { now: 0 };
  return { policy: new MglruPolicy({ maxFrames: 16, capacity: 16, host, clock, params }), host, clock };
}

/** A fault loads `frames`: each is inserted, and the retried access sets its Accessed bit. */
function fault(policy: MglruPolicy, host: Walkable, ...frames: number[]): void {
  for (const f of frames) {
    policy.insert(f, f);
    host.accessed.add(f);
  }
}

/** Evicts what the policy offers, as the VMM does: shadow first, then remove. */
function evict(policy: MglruPolicy): { victim: number; shadow: number } {
  const victim = policy.selectVictim();
  const shadow = policy.evicted(victim);
  policy.remove(victim);
  return { victim, shadow };
}

/** Each live generation (seq) with the frames in it. */
function generations(policy: MglruPolicy): Record<number, readonly number[]> {
  const out: Record<number, readonly number[]> = {};
  for (const l of policy.lists()) if (l.seq !== undefined) out[l.seq] = [...l.frames].sort((a, b) => a - b);
  return out;
}

describe("mglru: generations", () => {
  it("starts with generations 0..3 and puts a faulted page in max_seq − 1 (lru_gen_init_lruvec, lru_gen_folio_seq)", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1, 2, 3);
    expect([policy.minSeq, policy.maxSeq]).toEqual([0, 3]);
    expect(generations(policy)).toEqual({ 0: [], 1: [], 2: [1, 2, 3], 3: [] });
    expect(policy.listOrder(2)).toEqual([3, 2, 1]);
    expect(policy.pagesIn(2)).toBe(3);
    expect(policy.audit()).toEqual([]);
  });

  it("ages by walking the page tables: referenced pages go to max_seq, then a generation is born (try_to_inc_max_seq)", () => {
    const { policy, host, clock } = mglru();
    fault(policy, host, 1, 2, 3);
    clock.now = 7;
    // Generations 0 and 1 are empty: min_seq moves to 2 (try_to_inc_min_seq), leaving two.
    // Two live: aging. The walk finds 1, 2, 3 referenced -> generation 3; max_seq 4 (born at 7).
    // Three live, the oldest (2) now holds none of the 3 pages (< a quarter): aging again, nothing
    // referenced; max_seq 5. sort_folio moves 1, 2, 3 from list 2 to list 3; min_seq 3.
    // Tail of generation 3 is 1, no longer referenced: the victim.
    expect(policy.selectVictim()).toBe(1);
    expect(host.walks).toBe(2);
    expect(policy.agings).toBe(2);
    expect([policy.minSeq, policy.maxSeq]).toEqual([3, 5]);
    expect(generations(policy)).toEqual({ 3: [1, 2, 3], 4: [], 5: [] });
    expect(policy.listOrder(3)).toEqual([3, 2, 1]);
    expect([policy.birthOf(4), policy.birthOf(5)]).toEqual([7, 7]);
    expect(policy.audit()).toEqual([]);
  });

  it("sends a page referenced at eviction back to max_seq − 1 (folio_check_references, evict_folios' putback)", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1, 2, 3);
    // As above, 1 goes with a shadow of min_seq 3, no refs: token 3·4 + 0, workingset bit 0.
    expect(evict(policy)).toEqual({ victim: 1, shadow: (3 * 4 + 0) * 2 + 0 });
    host.accessed.add(2);
    // Three live (3..5), the oldest holds 2 of 2 pages: no aging. Tail 2 is referenced -> back to
    // generation 4 (max_seq − 1). Tail 3 is not: the victim.
    expect(policy.selectVictim()).toBe(3);
    expect(policy.generationOf(2)).toBe(4);
    expect(policy.agings).toBe(2);
  });

  it("leaves nothing evictable until the oldest generation has lived min_ttl ticks (lru_gen_age_node)", () => {
    const { policy, host, clock } = mglru({ min_ttl: 10 });
    fault(policy, host, 1, 2);
    clock.now = 9; // generation 0 was born at 0: 9 < 0 + 10
    expect(policy.selectVictim()).toBe(-1);
    expect(policy.ttlRefusals).toBe(1);
    clock.now = 10;
    expect(policy.selectVictim()).toBe(1);
    expect(policy.minTtl).toBe(10);
  });
});

describe("mglru: refaults, tiers and shadows", () => {
  it("restores a refault from the current oldest generation to max_seq with all refs and PG_workingset (lru_gen_refault)", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1);
    policy.refault(5, (0 * 4 + 0) * 2 + 0); // evicted from generation 0, which is min_seq: recent
    policy.insert(5, 5);
    expect(policy.generationOf(5)).toBe(3); // PG_workingset: max_seq, not max_seq − 1
    expect(policy.pageRefs(5)).toEqual({ refs: 3, flags: PG_WORKINGSET });
    expect(policy.stat).toMatchObject({ workingset_refault_anon: 1, workingset_activate_anon: 1, workingset_restore_anon: 1 });
    expect(policy.tierStats().refaulted).toEqual([1, 0, 0, 0]);
    policy.refault(6, (7 * 4 + 0) * 2); // evicted from generation 7: not recent
    policy.insert(6, 6);
    expect(policy.generationOf(6)).toBe(2);
    expect(policy.stat).toMatchObject({ workingset_refault_anon: 2, workingset_activate_anon: 1, workingset_restore_anon: 1 });
  });

  it("protects a page with all refs once, into the next generation (sort_folio, folio_inc_gen)", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1);
    policy.refault(5, 0); // recent: refs 3 + PG_workingset = 4, generation 3
    policy.insert(5, 5);
    fault(policy, host, 6);
    // min_seq 0 -> 2; aging (two live) promotes 1 and 6 to generation 3 (5 was not referenced and
    // keeps its refs); aging again (the oldest holds none), max_seq 5; 1 and 6 sorted onto list 3;
    // min_seq 3. Tail of generation 3 is 5 with refs 4 (tier 3): protected into generation 4, refs
    // and flags cleared. Then 1, unreferenced: the victim.
    expect(policy.selectVictim()).toBe(1);
    expect(policy.generationOf(5)).toBe(4);
    expect(policy.pageRefs(5)).toEqual({ refs: 0, flags: 0 });
    expect(policy.tierStats().protected).toEqual([0, 0, 1]);
    expect(policy.audit()).toEqual([]);
  });

  it("lowers the tier index when a tier refaults more than tier 0 (get_tier_idx, positive_ctrl_err)", () => {
    const { policy } = mglru();
    expect(policy.tierIndex()).toBe(3); // tiers 1..3 have under MIN_LRU_BATCH (64) refaults
    // 64 recent refaults of pages evicted with refs 3 and PG_workingset: refs 4, tier 3.
    for (let f = 0; f < 64; f++) policy.refault(f % 16, (0 * 4 + 3) * 2 + 1);
    expect(policy.tierStats().refaulted).toEqual([0, 0, 0, 64]);
    // Tier 3: 64 refaults of 0 evictions against tier 0's 0 of 0: 64 · (0 + 64) · 1 > (0 + 1) · 0 · 2.
    expect(policy.tierIndex()).toBe(2);
  });

  it("folds each retired oldest generation's counts into halved averages (reset_ctrl_pos)", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1, 2);
    for (const f of [9, 10, 11, 12]) policy.refault(f, 0); // refaulted[0] = 4 while min_seq is 0
    // The selectVictim retires generations 0 and 1 at once (one reset), later generation 2 (another).
    evict(policy); // evicted[0] = 1, counted after both resets
    const t = policy.tierStats();
    expect(t.avgRefaulted[0]).toBe(1); // (0 + 4) / 2 = 2, then (2 + 0) / 2 = 1
    expect(t.refaulted).toEqual([0, 0, 0, 0]);
    expect(t.evicted).toEqual([1, 0, 0, 0]);
  });

  it("holds frames whose eviction failed and puts them back as active after the next eviction", () => {
    const { policy, host } = mglru();
    fault(policy, host, 1, 2, 3);
    policy.keep(policy.selectVictim()); // 1 held
    expect(policy.size).toBe(3);
    expect(policy.selectVictim()).toBe(2);
    policy.remove(2);
    expect(policy.generationOf(1)).toBe(4); // max_seq 5 − 1
    expect(policy.audit()).toEqual([]);
  });
});
