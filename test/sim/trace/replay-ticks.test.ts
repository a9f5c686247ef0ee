import { afterAll, describe, expect, it } from "vitest";
import * as path from "node:path";
import { replayTrace, type ReplayResult } from "../../../src/sim/trace/replay.js";
import { POLICY_NAMES, type PolicyName } from "../../../src/kernel/replacement/index.js";
import { FAULT_WINDOW_TICKS } from "../../../src/kernel/working-set.js";
import { FIXTURES, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
/** 3,000 lackey lines: at 4 and 6 frames every policy evicts, and CLOCK's count moves if a sampled reference is lost. */
const DYN = path.join(FIXTURES, "tiny-dyn-head.lackey");

interface Ticked {
  readonly result: ReplayResult;
  /** Largest working-set estimate the samples saw. */
  readonly peakWorkingSet: number;
}

async function replay(policy: PolicyName, frames: number, tlb: "off" | undefined, tickEvery?: number): Promise<Ticked> {
  let peakWorkingSet = 0;
  const result = await replayTrace(DYN, {
    system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames: frames, tlb },
    tempDir: tmp.dir,
    tickEvery,
    samples: 50,
    onSample: (system, pid) => {
      peakWorkingSet = Math.max(peakWorkingSet, system.process(pid).wsPages);
    },
  });
  return { result, peakWorkingSet };
}

describe("replay --tick-every: working-set sampling changes no fault count", () => {
  for (const policy of POLICY_NAMES) {
    for (const tlb of ["off", undefined] as const) {
      it(`${policy}, TLB ${tlb ?? "of the CPU preset"}: faults by kind equal with and without ticks`, async () => {
        for (const frames of [4, 6]) {
          const plain = await replay(policy, frames, tlb);
          expect(plain.result.stats.ticks).toBe(0);
          expect(plain.result.stats.faults.swapIn).toBeGreaterThan(0); // the run really evicts
          for (const tickEvery of [1, 2, 5]) {
            const ticked = await replay(policy, frames, tlb, tickEvery);
            expect(ticked.result.stats.ticks).toBe(Math.floor(plain.result.accesses / tickEvery));
            // The kernel sampled (cleared Accessed bits) during the run, not only at its end.
            expect(ticked.peakWorkingSet).toBeGreaterThan(0);
            expect(ticked.result.stats.faults, `${frames} frames, a tick per ${tickEvery}`).toEqual(plain.result.stats.faults);
          }
        }
      });
    }
  }

  it("a sample due on a tick's access comes after the tick (it sees the working set that tick made)", async () => {
    const seen: number[] = [];
    await replayTrace(DYN, {
      system: { ramBytes: 16 << 20, swapBytes: 4 << 20 },
      tempDir: tmp.dir,
      tickEvery: 1,
      samples: 3000 / FAULT_WINDOW_TICKS,
      onSample: (system, pid) => seen.push(system.process(pid).wsPages),
    });
    // Samples fall every 100 accesses = every window: none after the first may still read 0.
    expect(seen[0]).toBe(0);
    expect(seen.slice(1).every((ws) => ws > 0)).toBe(true);
  });
});
