import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { itMatchesOnFullTraces } from "./agreement.js";
import { naiveMisses } from "./naive-models.js";

describe("FIFO", () => {
  it("shows Belady's anomaly: more frames, more faults", () => {
    const refs = Int32Array.of(1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5);
    expect(replayReferenceString(refs, { frames: 3, policy: "fifo" }).misses).toBe(9);
    expect(replayReferenceString(refs, { frames: 4, policy: "fifo" }).misses).toBe(10);
  });

  it("equals the textbook FIFO on random strings", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 300, size: "max" }), fc.integer({ min: 1, max: 8 }), (refs, frames) => {
        expect(replayReferenceString(Int32Array.from(refs), { frames, policy: "fifo" }).misses).toBe(
          naiveMisses(refs, frames, "fifo"),
        );
      }),
    );
  });

  itMatchesOnFullTraces(["libCacheSim/FIFO", "pagesim/FIFO"], "fifo");
});
