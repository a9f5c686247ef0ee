import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { LruStack, missesBySize, TOP_DEPTH } from "../../../src/sim/mrc/lru-stack.js";
import { optHistogram } from "../../../src/sim/mrc/opt-stack.js";
import { replayAtFrameCounts } from "../../../src/sim/policy-replay.js";
import { distinctPages, loadRefsFixture, TRACE_NAMES } from "../../helpers/refs-fixture.js";
import { lruMisses, optMisses } from "../trace/textbook-policies.js";

/** Misses at sizes 1..max of the exact LRU curve of `refs`. */
function lruCurve(refs: Int32Array, max: number): number[] {
  const stack = new LruStack();
  stack.feed(refs);
  return Array.from(missesBySize(stack.histogram(), max).subarray(1));
}

function optCurve(refs: Int32Array, max: number, cut = 0): number[] {
  const chunks = cut > 0 ? [refs.subarray(0, cut), refs.subarray(cut)] : [refs];
  return Array.from(missesBySize(optHistogram(chunks), max).subarray(1));
}

/**
 * Sizes at which a curve is compared with policy-only replays: 1..32, then
 * every 7th size, and `max`. The curves are checked against libCacheSim at
 * every size below; here the one-pass curve and the simulator must agree,
 * and a replay per size (thousands of 200k-reference replays: 26 s of this
 * file's 36 s in a suite run on the loaded machine, 3 s sampled) buys
 * little: a curve that is wrong is wrong over a run of sizes.
 */
function sampleSizes(max: number): number[] {
  return Array.from({ length: max }, (_, i) => i + 1).filter((s) => s <= 32 || s % 7 === 0 || s === max);
}

/** A curve and a policy-only replay's misses, both at sampleSizes(max), keyed by size. */
function curveAndReplay(curve: readonly number[], refs: Int32Array, policy: "lru" | "opt"): { curve: Record<number, number>; replay: Record<number, number> } {
  const sizes = sampleSizes(curve.length);
  return {
    curve: Object.fromEntries(sizes.map((s) => [s, curve[s - 1]])),
    replay: Object.fromEntries(replayAtFrameCounts(refs, sizes, { policy }).map((r) => [r.frames, r.misses])),
  };
}

/**
 * The string the curves are compared with replays on. The curves of all three strings, whole and their prefixes, are
 * checked against libCacheSim at every size below, and the replays against libCacheSim on all three prefixes at 8..256
 * frames (test/sim/policy-replay.test.ts): replaying the other two prefixes at every sampled size too ran the same two engines
 * over more sizes of strings whose curves are already checked.
 */
const AWK_PREFIX = loadRefsFixture("busybox-awk").subarray(0, 200000);

/** libCacheSim's misses at every size 1..distinct pages, per trace and part (test/fixtures/libcachesim/every-size.json). */
const EVERY_SIZE = (
  JSON.parse(readFileSync(new URL("../../fixtures/libcachesim/every-size.json", import.meta.url), "utf8")) as {
    traces: Record<string, Record<"full" | "prefix_200k", { LRU: number[]; Belady: number[] }>>;
  }
).traces;

/** The curve of each public string, whole and its 200k prefix, equals libCacheSim's `policy` at every size. */
function expectLibCacheSimCurves(curveOf: (refs: Int32Array, max: number) => number[], policy: "LRU" | "Belady"): void {
  for (const name of TRACE_NAMES) {
    const refs = loadRefsFixture(name);
    for (const [part, string] of [["full", refs], ["prefix_200k", refs.subarray(0, 200000)]] as const) {
      const expected = EVERY_SIZE[name][part][policy];
      expect(expected).toHaveLength(distinctPages(string));
      expect(curveOf(string, expected.length)).toEqual(expected);
    }
  }
}

/** Reference strings over few pages (so hits are common) and long enough to cross the stack's top and its slot compactions. */
const strings = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 400 }).map((a) => Int32Array.from(a));

describe("exact LRU curve (Mattson stack distances)", () => {
  it("equals a textbook LRU at every size on random strings", () => {
    fc.assert(
      fc.property(strings, (refs) => {
        const max = new Set(refs).size + 1;
        const plain = Array.from(refs);
        expect(lruCurve(refs, max)).toEqual(Array.from({ length: max }, (_, i) => lruMisses(plain, i + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it("equals a textbook LRU across many distinct pages (the tree grows and compacts) and large page numbers", () => {
    let x = 12345;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // A hot set and a cold tail over 6,000 pages, some page numbers past 2^20.
    const refs = Int32Array.from({ length: 60000 }, () => (rand() < 0.8 ? Math.floor(rand() * 30) : 1 + Math.floor(rand() * 6000) * 1021));
    const sizes = [1, 2, TOP_DEPTH - 1, TOP_DEPTH, TOP_DEPTH + 1, 100, 1000, 3000, 5000, 7000];
    const curve = lruCurve(refs, 7000);
    const plain = Array.from(refs);
    for (const s of sizes) expect(curve[s - 1]).toBe(lruMisses(plain, s));
  });

  it("equals replay --policy-only --policy lru on busybox-awk's 200k prefix (1..32 pages, every 7th size, all pages)", () => {
    const both = curveAndReplay(lruCurve(AWK_PREFIX, distinctPages(AWK_PREFIX) + 1), AWK_PREFIX, "lru");
    expect(both.curve).toEqual(both.replay);
  });

  it("gives libCacheSim's LRU counts at every size of the three public strings, whole and 200k prefixes", () => {
    expectLibCacheSimCurves(lruCurve, "LRU");
  });

  it("tracks removals (SHARDS' evictions) as a list with the page taken out would", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 })), { maxLength: 300 }), (ops) => {
        const stack = new LruStack();
        const list: number[] = []; // most recent first
        for (const [remove, page] of ops) {
          const at = list.indexOf(page);
          if (remove) {
            stack.remove(page);
            if (at >= 0) list.splice(at, 1);
          } else {
            expect(stack.access(page)).toBe(at + 1);
            if (at >= 0) list.splice(at, 1);
            list.unshift(page);
          }
          expect(stack.depth).toBe(list.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("exact OPT curve (Mattson's priority stack)", () => {
  it("equals a textbook Belady MIN at every size on random strings", () => {
    fc.assert(
      fc.property(strings, fc.nat(), (refs, cut) => {
        const max = new Set(refs).size + 1;
        const plain = Array.from(refs);
        expect(optCurve(refs, max, cut % refs.length)).toEqual(Array.from({ length: max }, (_, i) => optMisses(plain, i + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it("equals replay --policy-only --policy opt on busybox-awk's 200k prefix (1..32 pages, every 7th size, all pages), fed in two chunks", () => {
    const both = curveAndReplay(optCurve(AWK_PREFIX, distinctPages(AWK_PREFIX) + 1, 77777), AWK_PREFIX, "opt");
    expect(both.curve).toEqual(both.replay);
  });

  it("gives libCacheSim's Belady counts at every size of the three public strings, whole and 200k prefixes", () => {
    expectLibCacheSimCurves(optCurve, "Belady");
  });

  it("is never above LRU and meets it where every page fits", () => {
    const refs = loadRefsFixture("c-matmul").subarray(0, 200000);
    const d = distinctPages(refs);
    const lru = lruCurve(refs, d);
    const opt = optCurve(refs, d);
    for (let s = 0; s < d; s++) expect(opt[s]).toBeLessThanOrEqual(lru[s]);
    expect(opt[d - 1]).toBe(d);
    expect(lru[d - 1]).toBe(d);
  });
});
