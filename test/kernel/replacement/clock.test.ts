import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClockPolicy } from "../../../src/kernel/replacement/clock.js";
import { AccessedBits as Bits } from "./accessed-bits.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { itMatchesOnFullTraces } from "./agreement.js";
import { naiveMisses } from "./naive-models.js";

function clock(maxFrames = 16): { policy: ClockPolicy; host: Bits } {
  const host = new Bits();
  return { policy: new ClockPolicy({ maxFrames, capacity: maxFrames, host }), host };
}

describe("CLOCK (second chance over Accessed bits)", () => {
  it("gives a referenced frame a second chance and clears its bit", () => {
    const { policy, host } = clock();
    [3, 5, 7].forEach((f, key) => policy.insert(f, key));
    host.accessed.add(3);
    expect(policy.selectVictim()).toBe(5);
    expect(host.accessed.has(3)).toBe(false);
  });

  it("evicts the oldest frame when every frame was referenced (one full turn)", () => {
    const { policy, host } = clock();
    [3, 5, 7].forEach((f, key) => policy.insert(f, key));
    [3, 5, 7].forEach((f) => host.accessed.add(f));
    expect(policy.selectVictim()).toBe(3);
  });

  it("links a new frame behind the hand, so the hand reaches it last", () => {
    const { policy, host } = clock();
    [1, 2, 3].forEach((f, key) => policy.insert(f, key));
    host.accessed.add(1);
    expect(policy.selectVictim()).toBe(2); // hand passed 1
    policy.remove(2);
    policy.insert(2, 9);
    // Order from the hand: 3, 1, 2.
    expect(policy.selectVictim()).toBe(3);
    policy.remove(3);
    expect(policy.selectVictim()).toBe(1);
  });

  it("moves on from a frame whose eviction failed (keep)", () => {
    const { policy } = clock();
    [1, 2, 3].forEach((f, key) => policy.insert(f, key));
    expect(policy.selectVictim()).toBe(1);
    policy.keep(1);
    expect(policy.selectVictim()).toBe(2);
  });

  it("removes any frame in O(1) and holds as many frames as it is given (no 1,024 cap)", () => {
    const { policy } = clock(5000);
    for (let f = 0; f < 5000; f++) policy.insert(f, f);
    for (let f = 0; f < 5000; f += 2) policy.remove(f);
    expect(policy.size).toBe(2500);
    expect(policy.selectVictim()).toBe(1);
    expect(clock().policy.selectVictim()).toBe(-1);
  });

  it("equals the textbook one-hand clock on random strings, with and without the faulting access's bit", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 300, size: "max" }), fc.integer({ min: 1, max: 8 }), (refs, frames) => {
        const string = Int32Array.from(refs);
        for (const r1 of [true, false]) {
          const got = replayReferenceString(string, { frames, policy: "clock", faultSetsReferenced: r1 }).misses;
          expect(got).toBe(naiveMisses(refs, frames, r1 ? "clock-r1" : "clock-r0"));
        }
      }),
    );
  });

  itMatchesOnFullTraces(["pagesim/CLOCK-R1"], "clock", true);
  itMatchesOnFullTraces(["libCacheSim/Clock", "pagesim/CLOCK-R0"], "clock", false);
});
