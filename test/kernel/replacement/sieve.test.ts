import { describe, expect, it } from "vitest";
import { SievePolicy } from "../../../src/kernel/replacement/sieve.js";
import { itMatchesOnFullTraces } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("SIEVE", () => {
  it("sifts out unvisited pages and leaves visited ones where they are", () => {
    const sieve = new SievePolicy({ maxFrames: 8, capacity: 4, host });
    [0, 1, 2, 3].forEach((f) => sieve.insert(f, f));
    sieve.reference(0);
    sieve.reference(1);
    expect(sieve.selectVictim(9)).toBe(2); // hand from the tail (oldest): 0, 1 visited → cleared
    sieve.remove(2);
    sieve.insert(2, 9); // the new page goes to the head; the hand stays at the old position
    expect(sieve.selectVictim(10)).toBe(3);
    sieve.remove(3);
    sieve.insert(3, 10);
    // The hand moved on to the newer neighbour, which is key 9's frame; 0 and
    // 1 (behind the hand) are safe until the hand wraps past the head.
    expect(sieve.selectVictim(11)).toBe(2);
  });

  it("passes a kept victim once", () => {
    const sieve = new SievePolicy({ maxFrames: 4, capacity: 4, host });
    [0, 1, 2].forEach((f) => sieve.insert(f, f));
    expect(sieve.selectVictim()).toBe(0);
    sieve.keep(0);
    expect(sieve.selectVictim()).toBe(1);
  });

  itMatchesOnFullTraces(["libCacheSim/SIEVE"], "sieve");
});
