/**
 * Torture for the modern reclaim policies: random fork, exit, reads, writes,
 * brk, mmap, munmap and copy-out on the machine that swaps hard, every byte
 * checked, the invariant checker after every step (with each policy's own
 * audit of its lists, generations and flags), nothing leaked at the end —
 * fast-check sequences and longer seeded ones, for the two-list LRU and
 * MGLRU, and MGLRU with min_ttl refusing evictions (its processes die out of
 * memory, the others lose nothing).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RawOp, decodeOp, randomOps, runTorture } from "../../src/sim/torture.js";
import { tortureConfig } from "./torture-property.js";

const rawOp: fc.Arbitrary<RawOp> = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());

describe.each(["linux", "mglru"] as const)("torture: %s", (policy) => {
  it("loses nothing over random sequences, invariants and the policy's audit holding after every step", () => {
    let ops = 0;
    fc.assert(
      fc.property(fc.noBias(fc.array(rawOp, { maxLength: 1200, size: "max" })), (raws) => {
        const summary = runTorture(tortureConfig(31, policy), raws.map(decodeOp), true);
        ops += summary.ops;
        expect(summary.problems).toEqual([]);
      }),
      { numRuns: 12 },
    );
    expect(ops).toBeGreaterThan(3000);
  });

  it("loses nothing over a long seeded sequence, evicting and refaulting all along", () => {
    const summary = runTorture(tortureConfig(11, policy), randomOps(11, 6000));
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ mismatches: 0, invariantViolations: 0, leakedFrames: 0, leakedSlots: 0 });
    expect(summary.vmstat.pswpout).toBeGreaterThan(100);
    expect(summary.vmstat.workingset_refault_anon).toBeGreaterThan(10);
  });
});

describe("torture: mglru with min_ttl", () => {
  it("refuses evictions while the oldest generation is young: processes die out of memory, the rest is intact", () => {
    const summary = runTorture({ ...tortureConfig(13), policy: { name: "mglru", params: { min_ttl: 4 } }, allowOutOfMemory: true }, randomOps(13, 4000));
    expect(summary.problems).toEqual([]);
    expect(summary.outOfMemory).toBeGreaterThan(0);
    expect(summary.vmstat.pswpout).toBeGreaterThan(0);
    expect(summary).toMatchObject({ mismatches: 0, invariantViolations: 0, leakedFrames: 0, leakedSlots: 0 });
  });
});
