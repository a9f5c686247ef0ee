import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../../src/sim/scenario/loader.js";
import { runSweepJob } from "../../../src/sim/sweep/sweep-point.js";

const TRACE = "test/fixtures/traces/busybox-awk-head.lackey.gz";

describe("sweep points", () => {
  it("on a trace, OPT never faults more than LRU at the same number of frames", async () => {
    for (const userFrames of [4, 8]) {
      const [opt, lru] = await Promise.all(
        (["opt", "lru"] as const).map((policy, index) =>
          runSweepJob({ index, kind: "trace", file: TRACE, config: { ramBytes: 16 << 20, swapBytes: 16 << 20, tlb: "off", policy, userFrames } }),
        ),
      );
      expect(opt.error).toBeUndefined();
      expect(lru.error).toBeUndefined();
      expect(opt.references).toBe(lru.references);
      expect(opt.faults).toBeLessThanOrEqual(lru.faults);
      expect(opt.killed + lru.killed).toBe(0);
    }
  });

  it("a scenario point reports its faults and references; a bad point reports an error instead of throwing", async () => {
    const scenario = loadScenarioFile("examples/fork-cow.yaml");
    const ok = await runSweepJob({ index: 3, kind: "scenario", scenario, config: { ramBytes: 8 << 20, policy: "fifo" } });
    expect(ok).toMatchObject({ index: 3, faults: 129, killed: 0 });
    expect(ok.references).toBeGreaterThan(4000);
    const bad = await runSweepJob({ index: 4, kind: "scenario", scenario, config: { ramBytes: 1 << 20 } });
    expect(bad).toMatchObject({ index: 4, references: 0, faults: 0 });
    expect(bad.error).toMatch(/^kernel image .* does not fit in 1024 KiB of RAM/);
  });
});
