import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OptPolicy } from "../../../src/kernel/replacement/opt.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { loadExpected, loadRefsFixture } from "../../helpers/refs-fixture.js";
import { itMatchesOnFullTraces } from "./agreement.js";
import { naiveMisses } from "./naive-models.js";

const host = { testAndClearReferenced: (): boolean => false };

describe("OPT (Belady's MIN)", () => {
  it("evicts the page used farthest in the future, never-again first", () => {
    const next = new Map([
      [10, 5],
      [11, Infinity],
      [12, 9],
    ]);
    const opt = new OptPolicy({ maxFrames: 4, capacity: 4, host, future: { nextUse: (k) => next.get(k) ?? Infinity } });
    opt.insert(0, 10);
    opt.insert(1, 11);
    opt.insert(2, 12);
    expect(opt.selectVictim()).toBe(1);
    opt.remove(1);
    expect(opt.selectVictim()).toBe(2);
    opt.keep(2);
    expect(opt.selectVictim()).toBe(0);
  });

  it("cannot be built without future knowledge", () => {
    expect(() => new OptPolicy({ maxFrames: 4, capacity: 4, host })).toThrow(/future/);
  });

  it("equals the textbook OPT on random strings", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 200, size: "max" }), fc.integer({ min: 1, max: 8 }), (refs, frames) => {
        expect(replayReferenceString(Int32Array.from(refs), { frames, policy: "opt" }).misses).toBe(
          naiveMisses(refs, frames, "opt"),
        );
      }),
    );
  });

  it("is a lower bound for every other policy on a real trace", () => {
    const refs = loadRefsFixture("busybox-gzip").subarray(0, 200_000);
    for (const frames of loadExpected()["busybox-gzip"].prefix_200k.frames) {
      const opt = replayReferenceString(refs, { frames, policy: "opt" }).misses;
      for (const policy of ["clock", "fifo", "lru", "arc", "sieve", "s3-fifo"] as const) {
        expect(replayReferenceString(refs, { frames, policy }).misses).toBeGreaterThanOrEqual(opt);
      }
    }
  });

  itMatchesOnFullTraces(["libCacheSim/Belady", "pagesim/OPT"], "opt");
});
