import { describe, expect, it } from "vitest";
import { LruStack, missesBySize } from "../../../src/sim/mrc/lru-stack.js";
import { Shards } from "../../../src/sim/mrc/shards.js";
import { curveError, histogramPoints } from "../../../src/sim/mrc/curve.js";
import { miniSimulate, sampleAccesses } from "../../../src/sim/mrc/minisim.js";
import { pageHash, rateThreshold } from "../../../src/sim/mrc/spatial-sample.js";
import { WidePages } from "../../../src/sim/trace/wide-pages.js";
import { pageReferences } from "../../../src/sim/trace/policy-only.js";
import { TraceChunk } from "../../../src/sim/trace/trace-chunk.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { POLICY_NAMES } from "../../../src/kernel/replacement/index.js";
import { loadRefsFixture, TRACE_NAMES } from "../../helpers/refs-fixture.js";

const AWK = loadRefsFixture("busybox-awk").subarray(0, 200000);

function exactHistogram(refs: Int32Array) {
  const stack = new LruStack();
  stack.feed(refs);
  return { h: stack.histogram(), depth: stack.depth };
}

function shardsOf(refs: Int32Array, options: ConstructorParameters<typeof Shards>[0]): Shards {
  const s = new Shards(options);
  s.feed(refs);
  return s;
}

describe("spatial sampling", () => {
  it("keeps about the rate's share of pages, the same pages for the same seed, other pages for another", () => {
    const pages = Int32Array.from({ length: 100000 }, (_, i) => i);
    const kept = (seed: number) => pages.filter((p) => pageHash(p, seed) < rateThreshold(0.1));
    expect(kept(0).length).toBeGreaterThan(9500);
    expect(kept(0).length).toBeLessThan(10500);
    expect(kept(0)).toEqual(kept(0));
    const other = new Set(kept(1));
    expect(kept(0).filter((p) => other.has(p)).length).toBeLessThan(1500); // about 10% of 10%
  });
});

describe("SHARDS", () => {
  it("at rate 1 is the exact LRU curve", () => {
    const { h, depth } = exactHistogram(AWK);
    const s = shardsOf(AWK, { rate: 1 });
    expect(Array.from(missesBySize(s.histogram(), depth))).toEqual(Array.from(missesBySize(h, depth)));
  });

  it("with a fixed size no smaller than the distinct pages is the exact curve; smaller, it keeps that many pages and lowers its rate", () => {
    const { h, depth } = exactHistogram(AWK);
    const whole = shardsOf(AWK, { maxPages: depth });
    expect(Array.from(missesBySize(whole.histogram(), depth))).toEqual(Array.from(missesBySize(h, depth)));
    expect(whole.rate).toBe(1);
    const small = shardsOf(AWK, { maxPages: 20 });
    expect(small.sampledPages).toBe(20);
    expect(small.rate).toBeLessThan(1);
    // The pages kept are the 20 of smallest hash.
    const hashes = [...new Set(AWK)].map((p) => pageHash(p, 0)).sort((a, b) => a - b);
    expect(small.rate * 2 ** 32).toBe(hashes[20]);
  });

  it("weighs each sampled reference by 1/rate: the estimate covers the trace's references and pages", () => {
    for (const name of TRACE_NAMES) {
      const refs = loadRefsFixture(name);
      const s = shardsOf(refs, { rate: 0.25, seed: 3 });
      const est = s.histogram();
      const total = est.cold + est.counts.reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(refs.length, 3); // SHARDS_adj: the rest goes to distance 1
      expect(est.cold).toBeCloseTo(s.sampledPages / 0.25, 6);
      expect(s.sampledPages / new Set(refs).size).toBeGreaterThan(0.1);
      expect(s.sampledPages / new Set(refs).size).toBeLessThan(0.4);
    }
  });

  it("reports its error against the exact curve: the mean and largest absolute miss-ratio difference", () => {
    const { h, depth } = exactHistogram(AWK);
    const exact = histogramPoints(h, depth, AWK.length);
    const estimate = histogramPoints(shardsOf(AWK, { rate: 0.5 }).histogram(), depth, AWK.length);
    const diffs = estimate.map((p, i) => Math.abs(p.missRatio - exact[i].missRatio));
    const e = curveError(estimate, exact, "lru exact");
    expect(e.sizes).toBe(depth);
    expect(e.mae).toBeCloseTo(diffs.reduce((a, b) => a + b) / depth, 12);
    expect(e.maxError).toBe(Math.max(...diffs));
    expect(e.mae).toBeGreaterThan(0);
    expect(e.mae).toBeLessThan(0.02);
  });
});

describe("MINISIM", () => {
  it("at rate 1 is the full simulation of every policy", () => {
    const refs = AWK.subarray(0, 50000);
    for (const policy of POLICY_NAMES) {
      const mini = miniSimulate(refs, refs.length, policy, [4, 8, 16], 1);
      expect(mini.points.map((p) => p.misses)).toEqual([4, 8, 16].map((f) => replayReferenceString(refs, { frames: f, policy }).misses));
    }
  });

  it("scales memories by the rate and names the sizes too small for one frame", () => {
    const sampled = AWK.filter((p) => pageHash(p, 0) < rateThreshold(0.25));
    const mini = miniSimulate(sampled, AWK.length, "lru", [1, 2, 8, 16], 0.25);
    expect(mini.skippedSizes).toEqual([1]);
    const ratio = replayReferenceString(sampled, { frames: 4, policy: "lru" }).misses / sampled.length;
    expect(mini.points.find((p) => p.size === 16)?.missRatio).toBeCloseTo(ratio, 5);
  });

  it("samples accesses so that their page string is exactly the sampled pages' references, straddles split", () => {
    const chunk = new TraceChunk(4000);
    let x = 99;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < chunk.capacity; i++) {
      chunk.addr[i] = ((rand() % 64) << 12) | (i % 3 === 0 ? 0xffe : rand() & 0xfff);
      chunk.size[i] = 1 + (rand() % 8);
      chunk.kind[i] = rand() & 3;
    }
    chunk.length = chunk.capacity;
    const threshold = rateThreshold(0.5);
    const out = new TraceChunk(4000);
    sampleAccesses(chunk, threshold, 7, out);
    const all = pageReferences(chunk, new Int32Array(8000), new WidePages());
    const expected = Array.from(all).filter((p) => pageHash(p, 7) < threshold);
    expect(Array.from(pageReferences(out, new Int32Array(8000), new WidePages()))).toEqual(expected);
    expect(out.length).toBeLessThan(chunk.length);
  });
});
