/** The second half of the torture property's 200,000 operations, and the other policies. */
import { describe, expect, it } from "vitest";
import { createMemorySwapDisk } from "../../src/machine/disk-image.js";
import { FaultyBlockDevice } from "../../src/machine/faulty-block-device.js";
import { MIB } from "../../src/machine/units.js";
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

describe("torture: swap writes that fail lose nothing", () => {
  /** The torture machine swapping on a device that fails every `every`-th write from the `first`. */
  function flaky(first: number, every: number, torn: boolean): FaultyBlockDevice {
    const disk = new FaultyBlockDevice(createMemorySwapDisk({ sizeBytes: 9 * MIB, swapBytes: 8 * MIB }).device);
    for (let n = first; n < 20_000; n += every) disk.failNthWrite(n, { torn });
    return disk;
  }

  it("one swap write in seven fails: victims stay resident, every byte still matches", () => {
    const disk = flaky(5, 7, false);
    const summary = runTorture({ ...tortureConfig(3), swapDevice: disk }, randomOps(3, 3000));
    expect(summary.problems).toEqual([]);
    expect(disk.failedWrites).toBeGreaterThan(50);
    expect(summary.vmm386.evict_failed).toBe(disk.failedWrites);
  });

  it("torn writes (half the sectors reached the disk) are never trusted", () => {
    const disk = flaky(3, 11, true);
    const summary = runTorture({ ...tortureConfig(4), swapDevice: disk }, randomOps(4, 3000));
    expect(summary.problems).toEqual([]);
    expect(disk.failedWrites).toBeGreaterThan(30);
  });
});

describe("torture: swap reads that fail kill only their process", () => {
  it("one swap-in in nine fails: that process dies, every other byte still matches", () => {
    const disk = new FaultyBlockDevice(createMemorySwapDisk({ sizeBytes: 9 * MIB, swapBytes: 8 * MIB }).device);
    for (let n = 4; n < 20_000; n += 9) disk.failNthRead(n);
    const summary = runTorture({ ...tortureConfig(5), swapDevice: disk, allowSwapInFailures: true }, randomOps(5, 3000));
    expect(summary.problems).toEqual([]);
    expect(summary.swapInFailures).toBeGreaterThan(10);
    expect(summary.vmm386.swpin_failed).toBe(disk.failedReads);
    expect(summary).toMatchObject({ leakedFrames: 0, leakedSlots: 0, invariantViolations: 0 });
  });
});
