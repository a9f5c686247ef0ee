/** The second half of the torture property's 200,000 operations, and the other policies. */
import { describe, expect, it } from "vitest";
import { randomOps, runTorture } from "../../src/sim/torture.js";
import { nothingLost, tortureConfig } from "./torture-property.js";

describe("torture: the VMM loses nothing (CLOCK, more seeds)", () => {
  nothingLost([201, 202], 27, 2000, 100_000);
});

describe("torture: other policies", () => {
  for (const policy of ["fifo", "lru", "arc", "sieve", "s3-fifo"] as const) {
    it(`${policy} loses nothing either (seeded sequence)`, () => {
      const summary = runTorture(tortureConfig(7, policy), randomOps(7, 1500));
      expect(summary.problems).toEqual([]);
      expect(summary.vmstat.pswpout).toBeGreaterThan(0);
    });
  }
});
