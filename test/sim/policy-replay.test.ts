import { describe, expect, it } from "vitest";
import type { PolicyName } from "../../src/kernel/replacement/index.js";
import { NextUseTable, PolicyReplay, replayAtFrameCounts, replayReferenceString } from "../../src/sim/policy-replay.js";
import { distinctPages, loadExpected, loadRefsFixture, TRACE_NAMES } from "../helpers/refs-fixture.js";

const expected = loadExpected();
const PREFIX = 200_000;

/** A published column and the vmm386 replay that must reproduce it. */
interface Agreement {
  readonly label: string;
  readonly policy: PolicyName;
  readonly faultSetsReferenced: boolean;
}

const CLASSIC: readonly Agreement[] = [
  { label: "libCacheSim/FIFO", policy: "fifo", faultSetsReferenced: true },
  { label: "ostep/FIFO", policy: "fifo", faultSetsReferenced: true },
  { label: "pagesim/FIFO", policy: "fifo", faultSetsReferenced: true },
  { label: "libCacheSim/LRU", policy: "lru", faultSetsReferenced: true },
  { label: "ostep/LRU", policy: "lru", faultSetsReferenced: true },
  { label: "pagesim/LRU", policy: "lru", faultSetsReferenced: true },
  { label: "libCacheSim/Belady", policy: "opt", faultSetsReferenced: true },
  { label: "ostep/OPT", policy: "opt", faultSetsReferenced: true },
  { label: "pagesim/OPT", policy: "opt", faultSetsReferenced: true },
  { label: "pagesim/CLOCK-R1", policy: "clock", faultSetsReferenced: true },
  { label: "libCacheSim/Clock", policy: "clock", faultSetsReferenced: false },
  { label: "pagesim/CLOCK-R0", policy: "clock", faultSetsReferenced: false },
];

function misses(refs: Int32Array, frames: number, policy: PolicyName, faultSetsReferenced = true): number {
  return replayReferenceString(refs, { frames, policy, faultSetsReferenced }).misses;
}

describe("policy-only replay counts misses as reference.json defines them", () => {
  it("counts cold misses: memory starts empty", () => {
    const refs = Int32Array.of(1, 2, 3, 1, 2, 3);
    expect(misses(refs, 3, "lru")).toBe(3);
    expect(misses(refs, 2, "lru")).toBe(6);
  });

  it("gives exactly the distinct pages once every page fits, for every policy", () => {
    const refs = loadRefsFixture("busybox-awk").subarray(0, PREFIX);
    for (const policy of ["clock", "fifo", "lru", "opt", "arc", "sieve", "s3-fifo"] as const) {
      expect(misses(refs, 128, policy)).toBe(expected["busybox-awk"].prefix_200k.distinct_pages);
    }
  });

  it("replays a string fed in chunks exactly as the whole string", () => {
    const refs = loadRefsFixture("c-matmul").subarray(0, 50_000);
    for (const policy of ["clock", "lru", "opt", "arc", "s3-fifo"] as const) {
      const chunks = [refs.subarray(0, 1), refs.subarray(1, 777), refs.subarray(777, 30_000), refs.subarray(30_000)];
      const whole = replayReferenceString(refs, { frames: 24, policy });
      const pieces = replayReferenceString(chunks, { frames: 24, policy });
      expect(pieces).toEqual(whole);
    }
  });

  it("lets one next-use table serve several OPT replays", () => {
    const refs = Int32Array.of(1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5);
    const future = NextUseTable.build([refs]);
    for (let round = 0; round < 2; round++) {
      const replay = new PolicyReplay({ frames: 3, policy: "opt", future });
      replay.feed(refs);
      expect(replay.misses).toBe(7); // the textbook Belady example
    }
  });

  it("replays at several frame counts, sharing OPT's future (and one page table, recycled), as a fresh replay at each does", () => {
    const refs = loadRefsFixture("busybox-gzip").subarray(0, 30_000);
    const chunks = [refs.subarray(0, 12_345), refs.subarray(12_345)];
    const frameCounts = [24, 3, 64, 1, 24];
    for (const policy of ["opt", "lru", "linux"] as const) {
      const fresh = frameCounts.map((frames) => {
        const replay = new PolicyReplay({ frames, policy, future: policy === "opt" ? NextUseTable.build(chunks) : undefined });
        for (const c of chunks) replay.feed(c);
        return replay.result();
      });
      expect(replayAtFrameCounts(chunks, frameCounts, { policy })).toEqual(fresh);
    }
  });

  it("sets the new page's referenced bit on the faulting access only when asked (CLOCK-R1 vs R0)", () => {
    // 2 frames. R1: 1 and 2 load with bits set; 3's sweep clears both and
    // evicts 1, so 1 and then 2 fault again: 5 misses. R0: 1 loads clear, 2
    // is set by its hit, so 3 evicts 1 at once, 1 evicts 3, and 2 hits: 4.
    const refs = Int32Array.of(1, 2, 2, 3, 1, 2);
    expect(misses(refs, 2, "clock", true)).toBe(5);
    expect(misses(refs, 2, "clock", false)).toBe(4);
  });

  it("grows its page table for large page numbers and rejects negative ones", () => {
    const refs = Int32Array.of(5_000_000, 7, 5_000_000);
    // Sized at the string's highest page at once (replayAtFrameCounts), grown by doubling (a fed replay), or from a hint below it.
    expect(misses(refs, 1, "fifo")).toBe(3);
    for (const pages of [undefined, 8]) {
      const replay = new PolicyReplay({ frames: 1, policy: "fifo", pages });
      replay.feed(refs);
      expect(replay.misses).toBe(3);
    }
    expect(() => misses(Int32Array.of(3, -1), 2, "clock")).toThrow(/page number -1 at reference 1/);
  });

  it("OPT's table names the first reference whose page is out of range", () => {
    expect(() => NextUseTable.build([Int32Array.of(3, 7), Int32Array.of(-1, 1 << 26)])).toThrow("page number -1 at reference 2 is outside 0..67108863");
    expect(() => NextUseTable.build([Int32Array.of(1 << 26, -1)])).toThrow("page number 67108864 at reference 0 is outside 0..67108863");
  });

  it("refuses OPT without the future, a frame count below 1, and a recycled replay more references", () => {
    expect(() => new PolicyReplay({ frames: 4, policy: "opt" })).toThrow(/needs the future/);
    expect(() => new PolicyReplay({ frames: 0, policy: "lru" })).toThrow(RangeError);
    const done = new PolicyReplay({ frames: 2, policy: "lru" });
    done.feed(Int32Array.of(1, 2, 3));
    done.recycle();
    expect(() => done.feed(Int32Array.of(1))).toThrow("a recycled replay cannot be fed");
  });
});

describe.each(TRACE_NAMES)("%s: vmm386 equals the standard simulators", (name) => {
  const all = loadRefsFixture(name);
  const prefix = all.subarray(0, PREFIX);

  it("holds the trace's reference string (fixture sanity)", () => {
    expect(all.length).toBe(expected[name].full.references);
    expect(distinctPages(all)).toBe(expected[name].full.distinct_pages);
    expect(distinctPages(prefix)).toBe(expected[name].prefix_200k.distinct_pages);
  });

  it.each(CLASSIC)("prefix_200k: $policy (faultSetsReferenced=$faultSetsReferenced) == $label", (a) => {
    const part = expected[name].prefix_200k;
    const want = part.misses[a.label];
    expect(want).toBeDefined();
    const got = Object.fromEntries(part.frames.map((f) => [String(f), misses(prefix, f, a.policy, a.faultSetsReferenced)]));
    expect(got).toEqual(want);
  });
});
