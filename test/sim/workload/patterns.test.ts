import { describe, expect, it } from "vitest";
import { AccessStream, patternAccessCount, resolvePattern, type PatternInput } from "../../../src/sim/workload/patterns.js";

function offsets(input: PatternInput): { offsets: number[]; writes: number } {
  const stream = new AccessStream(resolvePattern(input));
  const out: number[] = [];
  let writes = 0;
  for (let o = stream.next(); o >= 0; o = stream.next()) {
    out.push(o);
    if (stream.write) writes++;
  }
  return { offsets: out, writes };
}

describe("access patterns", () => {
  it("sequential walks the range a cache line at a time by default", () => {
    const { offsets: o } = offsets({ length: 256 });
    expect(o).toEqual([0, 64, 128, 192]);
  });

  it("strided touches each page once by default", () => {
    expect(offsets({ length: 16384, pattern: "strided" }).offsets).toEqual([0, 4096, 8192, 12288]);
  });

  it("loop repeats the sequential walk", () => {
    expect(offsets({ length: 8192, pattern: "loop", stride: 4096, loops: 3 }).offsets).toEqual([0, 4096, 0, 4096, 0, 4096]);
  });

  it("never goes past the end of the range", () => {
    for (const pattern of ["sequential", "random", "strided", "hotcold", "loop"] as const) {
      const { offsets: o } = offsets({ length: 10000, pattern, count: 500, size: 4 });
      expect(o.length).toBe(patternAccessCount(resolvePattern({ length: 10000, pattern, count: 500 })));
      for (const x of o) expect(x + 4).toBeLessThanOrEqual(10000);
    }
  });

  it("random is reproducible from its seed and differs across seeds", () => {
    const a = offsets({ length: 1 << 20, pattern: "random", count: 100, seed: 7 }).offsets;
    const b = offsets({ length: 1 << 20, pattern: "random", count: 100, seed: 7 }).offsets;
    const c = offsets({ length: 1 << 20, pattern: "random", count: 100, seed: 8 }).offsets;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("hotcold sends most accesses to the hot fifth of the range", () => {
    const length = 100 * 4096;
    const { offsets: o } = offsets({ length, pattern: "hotcold", count: 10000, hotFraction: 0.2, hotProbability: 0.9 });
    const hot = o.filter((x) => x < length * 0.2).length;
    expect(hot / o.length).toBeGreaterThan(0.85);
    expect(hot / o.length).toBeLessThan(0.95);
  });

  it("mixed access writes about writeRatio of the time; read and write are all one kind", () => {
    const mixed = offsets({ length: 1 << 20, pattern: "random", count: 10000, access: "mixed", writeRatio: 0.25 });
    expect(mixed.writes / 10000).toBeGreaterThan(0.2);
    expect(mixed.writes / 10000).toBeLessThan(0.3);
    expect(offsets({ length: 4096, access: "write" }).writes).toBe(64);
    expect(offsets({ length: 4096, access: "read" }).writes).toBe(0);
  });
});
