/**
 * The "nothing lost" property, shared by the torture test files (split so
 * vitest runs the seeds on both cores): random operation sequences on a
 * machine that swaps hard, every byte read checked against the reference
 * model, the kernel's invariant checker after every step, every frame and
 * slot free at the end. fast-check shrinks a failing sequence to a minimal
 * one and the error lists it, decoded, one operation per line.
 */
import { expect, it } from "vitest";
import fc from "fast-check";
import { createMemorySwapDisk } from "../../src/machine/disk-image.js";
import { MIB } from "../../src/machine/units.js";
import { type RawOp, type TortureConfig, decodeOp, runTorture } from "../../src/sim/torture.js";

/** 2 MiB of RAM, 24 resident user pages at most, 8 MiB of swap: every few operations evict. */
export function tortureConfig(seed: number, policy: TortureConfig["policy"] = "clock"): TortureConfig {
  const disk = createMemorySwapDisk({ sizeBytes: 9 * MIB, swapBytes: 8 * MIB });
  return { ramBytes: 2 * MIB, swapBytes: 8 * MIB, swapDevice: disk.device, userFrames: 24, cpu: "i386", policy, maxProcesses: 4, seed };
}

const rawOp: fc.Arbitrary<RawOp> = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());

/**
 * Registers one test per seed, each running `runs` sequences of 0..2·average
 * operations (uniform lengths), and a last test asserting that at least
 * `minOps` operations ran in all.
 */
export function nothingLost(seeds: readonly number[], runs: number, average: number, minOps: number): void {
  let opsRun = 0;
  const sequences = fc.noBias(fc.array(rawOp, { maxLength: 2 * average, size: "max" }));
  for (const seed of seeds) {
    it(`every byte read matches the reference model, the invariants hold after every step, nothing leaks (seed ${seed})`, () => {
      fc.assert(
        fc.property(sequences, (raws) => {
          const ops = raws.map(decodeOp);
          const summary = runTorture(tortureConfig(seed), ops, true);
          opsRun += summary.ops;
          if (summary.problems.length > 0) {
            const steps = ops.slice(0, summary.ops).map((o, i) => `  ${i + 1}: ${JSON.stringify(o)}`);
            throw new Error(`${summary.problems.join("\n")}\noperations:\n${steps.join("\n")}`);
          }
        }),
        { seed, numRuns: runs, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true },
      );
    }, 300_000); // ~50,000 operations with a full invariant check after each: ~25 s on an idle core
  }
  it(`ran at least ${minOps.toLocaleString("en-US")} operations over seeds ${seeds.join(", ")}`, () => {
    expect(opsRun).toBeGreaterThanOrEqual(minOps);
  });
}
