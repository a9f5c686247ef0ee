import { describe, expect, it } from "vitest";
import { TwoQPolicy } from "../../../src/kernel/replacement/two-q.js";
import { loadLibCacheSimPolicies } from "../../helpers/refs-fixture.js";
import { itMatchesLibCacheSim, itMatchesLibCacheSimWithParams } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

/** A fault for `key` with memory full: the victim's frame takes the page. */
function evict(policy: TwoQPolicy, key: number): number {
  const v = policy.selectVictim(key);
  policy.remove(v);
  policy.insert(v, key);
  return v;
}

describe("2Q", () => {
  it("evicts pages seen once (A1in) before one that came back from A1out (Am)", () => {
    const q = new TwoQPolicy({ maxFrames: 8, capacity: 8, host });
    for (let f = 0; f < 8; f++) q.insert(f, f); // all in A1in, which should hold 2
    expect(evict(q, 100)).toBe(0); // A1in's oldest, key 0, leaves for A1out
    const back = evict(q, 0); // key 0 returns from A1out: it loads into Am
    for (let k = 200; k < 210; k++) expect(evict(q, k), `key ${k}`).not.toBe(back);
  });

  itMatchesLibCacheSim("libCacheSim/TwoQ", "2q");
  // libCacheSim admits nothing when A1in gets no frame: floor(0.1·c) = 0 below 10 frames.
  itMatchesLibCacheSimWithParams("2q:kin=0.1,kout=1", (frames) => frames >= 10);

  it("below 10 frames with kin=0.1, libCacheSim misses every reference, as its A1in admits nothing", () => {
    const entry = loadLibCacheSimPolicies().params["2q:kin=0.1,kout=1"];
    expect(entry.misses["busybox-awk/full"]["8"]).toBe(3_000_157);
    expect(entry.misses["c-matmul/prefix_200k"]["8"]).toBe(200_000);
  });
});
