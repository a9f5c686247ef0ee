import { describe, expect, it } from "vitest";
import { LirsPolicy } from "../../../src/kernel/replacement/lirs.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { bothAt, CHECKED_PARTS, itMatchesLibCacheSim } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("LIRS", () => {
  it("keeps pages with short reuse distances through a scan longer than memory", () => {
    const refs: number[] = [];
    for (let round = 0; round < 5; round++) for (let p = 0; p < 6; p++) refs.push(p);
    for (let p = 100; p < 200; p++) refs.push(p); // a one-time scan
    for (let p = 0; p < 6; p++) refs.push(p);
    const string = Int32Array.from(refs);
    const before = replayReferenceString(string.subarray(0, refs.length - 6), { frames: 8, policy: "lirs" }).misses;
    expect(replayReferenceString(string, { frames: 8, policy: "lirs" }).misses).toBe(before);
    expect(replayReferenceString(string, { frames: 8, policy: "lru" }).misses).toBe(before + 6);
  });

  it("holds one frame for resident HIR pages below 200 frames (libCacheSim's 1%, at least one)", () => {
    const lirs = new LirsPolicy({ maxFrames: 8, capacity: 8, host });
    for (let f = 0; f < 8; f++) lirs.insert(f, f); // 7 LIR, then 1 HIR
    expect(lirs.selectVictim(50)).toBe(7);
  });

  // libCacheSim's LIRS with the paper's rule for a hit on a resident HIR page outside the stack (a 3-line change).
  itMatchesLibCacheSim("libCacheSim/LIRS, paper HIR-hit rule", "lirs");

  it.each(CHECKED_PARTS)("stays within 5 percent of unmodified libCacheSim LIRS on the %s string (%s), which differs in that one rule", (trace, part) => {
    const { lib, ours } = bothAt("libCacheSim/LIRS", "lirs", trace, part, () => true);
    lib.forEach((misses, i) => expect(Math.abs(misses - ours[i]) / misses).toBeLessThanOrEqual(0.05));
  });
});
