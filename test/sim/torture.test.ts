/**
 * Nothing lost, proven (issue 3, item 8): random fork/exit/read/write/brk/
 * mmap/munmap/copy-out sequences across several processes on a machine that
 * swaps hard, checked byte for byte against the reference model, with the
 * invariant checker after every step. This file and torture-seeds.test.ts
 * run 200,000 operations between them (100,000 each, on both cores).
 */
import { describe, expect, it } from "vitest";
import { randomOps, runTorture } from "../../src/sim/torture.js";
import { nothingLost, tortureConfig } from "./torture-property.js";

describe("torture: the VMM loses nothing (CLOCK)", () => {
  nothingLost([101, 102], 27, 2000, 100_000);
});

describe("torture: seeded runs", () => {
  it("a seeded run swaps hard, forks, kills and ends with every frame and slot free", () => {
    const summary = runTorture(tortureConfig(42), randomOps(42, 4000));
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ mismatches: 0, invariantViolations: 0, leakedFrames: 0, leakedSlots: 0 });
    expect(summary.vmstat.pswpout).toBeGreaterThan(100);
    expect(summary.vmstat.pswpin).toBeGreaterThan(100);
    expect(summary.faults.cow).toBeGreaterThan(0);
    expect(summary.processes.forked).toBeGreaterThan(10);
    expect(summary.processes.killed).toBeGreaterThan(0);
  });
});

describe("torture: no missing TLB invalidation", () => {
  for (const cpu of ["i386", "i486", "pentium", "p6"] as const) {
    it(`on ${cpu}, no access is ever served by a stale TLB entry (strict TLB mode)`, () => {
      const summary = runTorture({ ...tortureConfig(11), cpu, strictTlb: true }, randomOps(11, 1500));
      expect(summary.problems).toEqual([]);
      expect(summary.staleTlbHits).toBe(0);
    });
  }
});
