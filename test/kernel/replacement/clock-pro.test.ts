import { describe, expect, it } from "vitest";
import { ClockProPolicy } from "../../../src/kernel/replacement/clock-pro.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { loadExpected, loadRefsFixture, missesByFrames } from "../../helpers/refs-fixture.js";
import { CHECKED_PARTS, fullStringFrames } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

/** `rounds` passes over pages 0..n-1. */
function loop(n: number, rounds: number): Int32Array {
  return Int32Array.from({ length: n * rounds }, (_, i) => i % n);
}

describe("CLOCK-Pro", () => {
  it("keeps most of a loop a little larger than memory, where LRU and CLOCK miss every reference", () => {
    const refs = loop(10, 100);
    expect(replayReferenceString(refs, { frames: 8, policy: "lru" }).misses).toBe(1000);
    expect(replayReferenceString(refs, { frames: 8, policy: "clock" }).misses).toBe(1000);
    expect(replayReferenceString(refs, { frames: 8, policy: "clock-pro" }).misses).toBeLessThan(400);
  });

  it("keeps a hot set through a one-time scan longer than memory", () => {
    const hot = loop(6, 5);
    const scan = Int32Array.from({ length: 100 }, (_, i) => 100 + i);
    const refs = Int32Array.from([...hot, ...scan, ...loop(6, 1)]);
    const before = replayReferenceString(refs.subarray(0, refs.length - 6), { frames: 8, policy: "clock-pro" }).misses;
    expect(replayReferenceString(refs, { frames: 8, policy: "clock-pro" }).misses).toBe(before);
  });

  it("re-use within the test period grows the cold target, within [1, m − 1]", () => {
    const pro = new ClockProPolicy({ maxFrames: 4, capacity: 4, host });
    expect(pro.target).toBe(1);
    for (let f = 0; f < 4; f++) pro.insert(f, f); // 3 hot, 1 cold in its test period
    let key = 10;
    for (let i = 0; i < 20; i++) {
      const v = pro.selectVictim(key);
      pro.remove(v);
      pro.insert(v, i % 2 === 0 ? key++ : key - 2); // faults on pages evicted in their test period
      expect(pro.target).toBeGreaterThanOrEqual(1);
      expect(pro.target).toBeLessThanOrEqual(3);
    }
    expect(pro.target).toBeGreaterThan(1);
  });

  it.each(CHECKED_PARTS)("never misses less than OPT on the %s string (%s)", (name, which) => {
    const part = loadExpected()[name][which];
    const refs = loadRefsFixture(name).subarray(0, part.references);
    const frames = which === "full" ? fullStringFrames(name, part.frames) : part.frames;
    const got = missesByFrames(refs, frames, "clock-pro");
    for (const f of frames) expect(got[String(f)]).toBeGreaterThanOrEqual(part.misses["libCacheSim/Belady"][String(f)]);
  });
});
