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
