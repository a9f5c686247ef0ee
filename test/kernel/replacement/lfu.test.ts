import { describe, expect, it } from "vitest";
import { LfuPolicy } from "../../../src/kernel/replacement/lfu.js";
import { itMatchesLibCacheSim } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("LFU", () => {
  it("evicts the page referenced least often, and among equals the one that reached its count first", () => {
    const lfu = new LfuPolicy({ maxFrames: 4, capacity: 4, host });
    for (let f = 0; f < 4; f++) lfu.insert(f, f);
    lfu.reference(2); // 2 reaches 2 first
    lfu.reference(0);
    lfu.reference(0); // 0 reaches 3
    lfu.reference(1); // 1 reaches 2 after 2 did
    expect(lfu.selectVictim()).toBe(3); // count 1
    lfu.remove(3);
    lfu.insert(3, 9); // a new page counts 1 again
    expect(lfu.selectVictim()).toBe(3);
    lfu.reference(3); // now 3 has 2 too, reached last
    expect(lfu.selectVictim()).toBe(2);
  });

  itMatchesLibCacheSim("libCacheSim/LFU", "lfu");
});
