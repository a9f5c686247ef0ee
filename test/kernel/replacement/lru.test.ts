import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruPolicy } from "../../../src/kernel/replacement/lru.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { itMatchesOnFullTraces } from "./agreement.js";
import { naiveMisses } from "./naive-models.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("exact LRU", () => {
  it("evicts the frame referenced least recently", () => {
    const lru = new LruPolicy({ maxFrames: 8, capacity: 8, host });
    [4, 5, 6].forEach((f, key) => lru.insert(f, key));
    lru.reference(4);
    expect(lru.selectVictim()).toBe(5);
    lru.keep(5);
    expect(lru.selectVictim()).toBe(6);
    lru.remove(6);
    expect(lru.selectVictim()).toBe(4);
  });

  it("equals the textbook LRU on random strings", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 300, size: "max" }), fc.integer({ min: 1, max: 8 }), (refs, frames) => {
        expect(replayReferenceString(Int32Array.from(refs), { frames, policy: "lru" }).misses).toBe(
          naiveMisses(refs, frames, "lru"),
        );
      }),
    );
  });

  itMatchesOnFullTraces(["libCacheSim/LRU", "pagesim/LRU"], "lru");
});
