import { describe, expect, it } from "vitest";
import { S3FifoPolicy, s3fifoSmallSize } from "../../../src/kernel/replacement/s3-fifo.js";
import { loadExpected, loadRefsFixture, missesByFrames, TRACE_NAMES } from "../../helpers/refs-fixture.js";
import { fullStringFrames, itMatchesLibCacheSimWithParams } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };
/** libCacheSim's small FIFO has floor(0.10·frames) slots and admits nothing below 20 frames. */
const LIBCACHESIM_DEGENERATE_BELOW = 20;

describe("S3-FIFO", () => {
  it("sizes the small FIFO at 10% of the frames, at least one", () => {
    expect([1, 9, 10, 19, 20, 64, 256].map((c) => s3fifoSmallSize(c))).toEqual([1, 1, 1, 1, 2, 6, 25]);
  });

  it("evicts one-hit wonders from the small FIFO and promotes pages referenced twice", () => {
    const s3 = new S3FifoPolicy({ maxFrames: 20, capacity: 20, host });
    for (let f = 0; f < 20; f++) s3.insert(f, f);
    s3.reference(0);
    s3.reference(0);
    // All 20 loaded into S (M is empty, so S overflows its 2 slots); 0 has freq 2.
    expect(s3.selectVictim(100)).toBe(1);
  });

  it("loads a page found in the ghost FIFO straight into the main FIFO", () => {
    const s3 = new S3FifoPolicy({ maxFrames: 20, capacity: 20, host });
    for (let f = 0; f < 20; f++) s3.insert(f, f);
    const victim = s3.selectVictim(100); // key 0 → ghost
    s3.remove(victim);
    s3.insert(victim, 100);
    const again = s3.selectVictim(0); // key 0 comes back from the ghost
    s3.remove(again);
    s3.insert(again, 0);
    // Key 0 is now in M and survives the next few evictions of S's one-hit wonders.
    for (let k = 200; k < 205; k++) {
      const v = s3.selectVictim(k);
      expect(v).not.toBe(again);
      s3.remove(v);
      s3.insert(v, k);
    }
  });

  it.each(TRACE_NAMES)("equals libCacheSim S3-FIFO from 20 frames up on the full %s string", (name) => {
    const part = loadExpected()[name].full;
    const frames = fullStringFrames(name, part.frames.filter((f) => f >= LIBCACHESIM_DEGENERATE_BELOW));
    const want = Object.fromEntries(frames.map((f) => [String(f), part.misses["libCacheSim/S3-FIFO"][String(f)]]));
    expect(missesByFrames(loadRefsFixture(name), frames, "s3-fifo")).toEqual(want);
  });

  it.each(TRACE_NAMES)("below 20 frames, where libCacheSim misses every reference, loads pages and lands between OPT and all-miss on %s", (name) => {
    const part = loadExpected()[name].full;
    const frames = fullStringFrames(name, part.frames.filter((f) => f < LIBCACHESIM_DEGENERATE_BELOW));
    expect(frames.length).toBeGreaterThan(0);
    const got = missesByFrames(loadRefsFixture(name), frames, "s3-fifo");
    for (const f of frames) {
      expect(part.misses["libCacheSim/S3-FIFO"][String(f)]).toBe(part.references);
      expect(got[String(f)]).toBeLessThan(part.references / 10);
      expect(got[String(f)]).toBeGreaterThanOrEqual(part.misses["libCacheSim/Belady"][String(f)]);
    }
  });

  // With small=0.2 libCacheSim admits from 10 frames up (its small FIFO then has 2 slots).
  itMatchesLibCacheSimWithParams("s3-fifo:small=0.2,ghost=0.5,threshold=1", (frames) => frames >= 10);
});
