import { describe, expect, it } from "vitest";
import { SlruPolicy } from "../../../src/kernel/replacement/slru.js";
import { bothAt, itMatchesLibCacheSim, itMatchesLibCacheSimWithParams } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("SLRU", () => {
  it("evicts from the probationary segment: a page hit once is protected from a scan", () => {
    const slru = new SlruPolicy({ maxFrames: 8, capacity: 8, host, params: { segments: 2 } });
    for (let f = 0; f < 8; f++) slru.insert(f, f); // 4 in probation, 4 in protected
    slru.reference(1); // probation → protected; protected's LRU page comes down
    for (let k = 100; k < 120; k++) {
      const v = slru.selectVictim();
      expect(v).not.toBe(1);
      slru.remove(v);
      slru.insert(v, k);
    }
  });

  // libCacheSim's segments are floor(c/4) each: with 4 dividing c they cover every frame, as vmm386's do.
  itMatchesLibCacheSim("libCacheSim/SLRU", "slru", (frames) => frames % 4 === 0);
  // With segment 0 given c mod 4 more frames (a one-line change to SLRU_init), libCacheSim equals vmm386 everywhere.
  itMatchesLibCacheSim("libCacheSim/SLRU, segments cover c", "slru");
  itMatchesLibCacheSimWithParams("slru:segments=2", (frames) => frames % 2 === 0);

  it("where 4 does not divide c, libCacheSim's SLRU (at times below c pages) misses at least as often", () => {
    const { lib, ours } = bothAt("libCacheSim/SLRU", "slru", "c-matmul", "full", (frames) => frames % 4 !== 0);
    expect(lib.length).toBeGreaterThan(0);
    lib.forEach((misses, i) => expect(misses).toBeGreaterThanOrEqual(ours[i]));
  });
});
