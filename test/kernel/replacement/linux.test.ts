/**
 * Linux's two-list LRU (mm/vmscan.c, mm/workingset.c), rule by rule: each
 * test plays a few frames through the policy with Accessed bits set by hand
 * and checks the inactive and active lists (newest first), the page flags
 * and the counters worked out in its comment.
 */
import { describe, expect, it } from "vitest";
import { LinuxLruPolicy, PG_REFERENCED, PG_WORKINGSET } from "../../../src/kernel/replacement/linux.js";
import { AccessedBits as Bits } from "./accessed-bits.js";

function linux(maxFrames = 16): { policy: LinuxLruPolicy; host: Bits } {
  const host = new Bits();
  return { policy: new LinuxLruPolicy({ maxFrames, capacity: maxFrames, host }), host };
}

/** A fault loads `frames`: each is inserted, and the retried access sets its Accessed bit. */
function fault(policy: LinuxLruPolicy, host: Bits, ...frames: number[]): void {
  for (const f of frames) {
    policy.insert(f, f);
    host.accessed.add(f);
  }
}

/** The inactive and active lists, newest first. */
function lists(policy: LinuxLruPolicy): { inactive: readonly number[]; active: readonly number[] } {
  const [inactive, active] = policy.lists();
  return { inactive: inactive.frames, active: active.frames };
}

/** Evicts what the policy offers, as the VMM does: shadow first, then remove. */
function evict(policy: LinuxLruPolicy): { victim: number; shadow: number } {
  const victim = policy.selectVictim();
  const shadow = policy.evicted(victim);
  policy.remove(victim);
  return { victim, shadow };
}

describe("linux: the two-list LRU of mm/vmscan.c", () => {
  it("puts a new page at the head of the inactive list (lru_cache_add_inactive_or_unevictable)", () => {
    const { policy, host } = linux();
    fault(policy, host, 4, 5, 6);
    expect(lists(policy)).toEqual({ inactive: [6, 5, 4], active: [] });
    expect(policy.size).toBe(3);
  });

  it("gives a page referenced once another trip with PG_referenced, and reclaims the first unreferenced one (folio_check_references)", () => {
    const { policy, host } = linux();
    fault(policy, host, 4, 5, 6);
    // Tail 4: referenced by its fault, no PG_referenced yet -> PG_referenced, back to the head: [4 6 5].
    // Then 5 and 6 likewise: [6 5 4]. Tail 4 again: not referenced -> reclaimed.
    expect(policy.selectVictim()).toBe(4);
    expect(lists(policy)).toEqual({ inactive: [6, 5, 4], active: [] });
    expect(policy.pageFlags(5)).toBe(PG_REFERENCED);
    expect(policy.pageFlags(4)).toBe(0); // test_clear_referenced took it
    expect(policy.stat.pgactivate).toBe(0);
  });

  it("activates a page referenced again while PG_referenced: pgactivate and the non-resident age move on", () => {
    const { policy, host } = linux();
    fault(policy, host, 4, 5, 6);
    evict(policy); // 4 goes (age 0 -> 1 on eviction); 5 and 6 carry PG_referenced
    host.accessed.add(5);
    // Tail 5: referenced and PG_referenced -> active. Tail 6: not referenced -> reclaimed.
    expect(policy.selectVictim()).toBe(6);
    expect(lists(policy)).toEqual({ inactive: [6], active: [5] });
    expect(policy.stat.pgactivate).toBe(1);
    expect(policy.nonresidentAge).toBe(2);
  });

  it("deactivates the active tail when the inactive list is low (inactive_is_low, shrink_active_list): PG_workingset, pgdeactivate", () => {
    const { policy, host } = linux();
    fault(policy, host, 1, 2, 3, 4);
    evict(policy); // one pass gives every page PG_referenced; 1 goes: inactive [4 3 2]
    [2, 3, 4].forEach((f) => host.accessed.add(f));
    // Tail 2, 3, 4: referenced with PG_referenced -> active [4 3 2]; inactive empty ->
    // the active tail 2 is deactivated (Accessed cleared), reclaimed at once: not referenced.
    expect(policy.selectVictim()).toBe(2);
    expect(policy.pageFlags(2) & PG_WORKINGSET).toBe(PG_WORKINGSET);
    expect(policy.stat.pgactivate).toBe(3);
    expect(policy.stat.pgdeactivate).toBe(1);
    policy.evicted(2);
    policy.remove(2);
    expect(lists(policy)).toEqual({ inactive: [], active: [4, 3] });
    // Next reclaim: 0 inactive < 2 active -> deactivate 3 (then 1 inactive vs 1 active: no longer low).
    fault(policy, host, 7);
    // inactive [7], active [4 3]: 1 < 2 is low -> 3 is deactivated: inactive [3 7], active [4].
    // Tail 7: referenced, first time -> kept: [7 3]. Tail 3: not referenced -> reclaimed.
    expect(policy.selectVictim()).toBe(3);
    expect(lists(policy)).toEqual({ inactive: [7, 3], active: [4] });
    expect(policy.stat.pgdeactivate).toBe(2);
  });

  it("uses inactive ratio int_sqrt(10 × GiB) from 1 GiB of LRU pages up", () => {
    const frames = 300_000;
    const { policy } = linux(frames);
    // 200,000 pages straight to the active list (refaults with distance 0), 66,000 inactive: 266,000 pages, 1 GiB.
    for (let f = 0; f < 200_000; f++) {
      policy.refault(f, policy.nonresidentAge * 2);
      policy.insert(f, f);
    }
    for (let f = 200_000; f < 266_000; f++) policy.insert(f, f);
    expect(lists(policy).active.length).toBe(200_000);
    // Ratio 3: 66,000 × 3 < 200,000 is low; deactivation stops once 3 × inactive ≥ active:
    // 3 (66,000 + d) ≥ 200,000 - d at d = 500 (ratio 1 would have taken 67,000).
    policy.selectVictim();
    expect(policy.stat.pgdeactivate).toBe(500);
  });

  it("leaves a shadow entry of the non-resident age and PG_workingset, the age moving on (workingset_eviction)", () => {
    const { policy, host } = linux();
    fault(policy, host, 1, 2);
    expect(evict(policy)).toEqual({ victim: 1, shadow: 0 * 2 + 0 });
    expect(policy.nonresidentAge).toBe(1);
    // A page that was active carries PG_workingset into its shadow.
    policy.refault(9, policy.nonresidentAge * 2); // distance 0 <= 0 active pages: activated (age 2)
    policy.insert(9, 9);
    host.accessed.clear();
    // inactive [2], active [9]: not low, but a refault was activated since the last reclaim ->
    // 9 deactivated with PG_workingset: inactive [9 2]. Tail 2 unreferenced -> reclaimed (age 2 -> 3).
    expect(evict(policy)).toEqual({ victim: 2, shadow: 2 * 2 + 0 });
    expect(evict(policy)).toEqual({ victim: 9, shadow: 3 * 2 + 1 });
  });

  it("activates a refault whose distance fits in the active list, restoring a workingset page (workingset_refault)", () => {
    const { policy, host } = linux();
    fault(policy, host, 1, 2, 3);
    policy.refault(4, 0 * 2 + 1); // age 0, evicted as workingset: distance 0 <= 0
    policy.insert(4, 4);
    expect(lists(policy)).toEqual({ inactive: [3, 2, 1], active: [4] });
    expect(policy.pageFlags(4)).toBe(PG_WORKINGSET);
    expect(policy.nonresidentAge).toBe(1);
    expect(policy.stat).toMatchObject({ workingset_refault_anon: 1, workingset_activate_anon: 1, workingset_restore_anon: 1 });
  });

  it("leaves a refault too far away on the inactive list: counted as a refault only", () => {
    const { policy, host } = linux();
    fault(policy, host, 1, 2, 3);
    policy.refault(4, 0 * 2 + 1); // activated: age 1, active [4]
    policy.insert(4, 4);
    // Two pages swapped out by hand (swap_out_page): the age moves to 3, the active list stays at one page.
    for (const f of [1, 2]) {
      policy.evicted(f);
      policy.remove(f);
    }
    expect(policy.nonresidentAge).toBe(3);
    policy.refault(5, 1 * 2); // evicted at age 1: distance 2 > 1 active page
    policy.insert(5, 5);
    expect(lists(policy)).toEqual({ inactive: [5, 3], active: [4] });
    expect(policy.stat).toMatchObject({ workingset_refault_anon: 2, workingset_activate_anon: 1, workingset_restore_anon: 1 });
    policy.refault(6, 2 * 2); // evicted at age 2: distance 1 <= 1 -> activated, not PG_workingset
    policy.insert(6, 6);
    expect(lists(policy)).toEqual({ inactive: [5, 3], active: [6, 4] });
    expect(policy.pageFlags(6)).toBe(0);
    expect(policy.stat).toMatchObject({ workingset_refault_anon: 3, workingset_activate_anon: 2, workingset_restore_anon: 1 });
  });

  it("holds frames whose eviction failed and activates them after the next successful one (activate_locked)", () => {
    const { policy, host } = linux();
    fault(policy, host, 1, 2, 3);
    const first = policy.selectVictim(); // 1 (after every page's first trip)
    policy.keep(first);
    expect(policy.selectVictim()).toBe(2);
    policy.remove(2);
    expect(lists(policy)).toEqual({ inactive: [3], active: [1] });
    expect(policy.stat.pgactivate).toBe(1);
    expect(policy.size).toBe(2);
    expect(host.accessed.size).toBe(0);
  });
});
