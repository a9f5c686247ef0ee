/**
 * The examples of modern reclaim do what their comments say: a loop a
 * little bigger than memory thrashes under CLOCK and not under MGLRU; a
 * scan flushes the working set out of LRU every round and out of MGLRU in
 * few; the seed's throttle and the PSI-triggered one both catch the heavy
 * process of thrashing.yaml and never the light ones. Figures are the runs'
 * own, with the default swap latency (0.012 ticks a page).
 */
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../../src/sim/scenario/loader.js";
import { runScenario } from "../../../src/sim/scenario/runner.js";
import type { RunResult } from "../../../src/sim/scenario/result.js";
import { System, type SystemConfig } from "../../../src/sim/system.js";
import { systemConfig } from "../../../src/sim/machine-settings.js";

/** examples/NAME.yaml on its machine, with `override` laid over its configuration. */
function run(name: string, override: Partial<SystemConfig> = {}): RunResult {
  const scenario = loadScenarioFile(`examples/${name}.yaml`);
  const system = System.create({ ...systemConfig(scenario.machine), ...override });
  try {
    return runScenario(system, scenario);
  } finally {
    system.close();
  }
}

const byName = (r: RunResult, name: string) => r.processes.find((p) => p.name === name)!;

describe("examples/loop-thrash.yaml", () => {
  const clock = run("loop-thrash");
  const mglru = run("loop-thrash", { policy: "mglru" });
  const linux = run("loop-thrash", { policy: "linux" });

  it("thrashes under CLOCK: after the first pass, every access of the 29 others is a swap-in", () => {
    expect(clock.stats.faults.swapIn).toBe(29 * 72);
    expect(clock.stats.faults.demandZero).toBe(72);
  });

  it("under MGLRU keeps part of the loop resident: about half the swap-ins, and half the pressure", () => {
    expect(mglru.stats.faults.swapIn).toBe(1121);
    expect(mglru.stats.psi.some.avg10).toBeLessThan(clock.stats.psi.some.avg10 * 0.6);
    expect(mglru.stats.vmstat.workingset_refault_anon).toBe(mglru.stats.faults.swapIn);
  });

  it("thrashes under the two-list LRU too: a loop leaves no active list for refaults to be measured against", () => {
    expect(linux.stats.faults.swapIn).toBe(29 * 72);
    expect(linux.stats.vmstat).toMatchObject({ workingset_activate_anon: 0, pgactivate: 0 });
  });

  it("charges the looper 0.012 ticks per page read and per page written", () => {
    for (const r of [clock, mglru]) {
      const ios = r.stats.vmstat.pswpin + r.stats.vmstat.pswpout;
      expect(byName(r, "looper").stalledTicks).toBeCloseTo(ios * 0.012, 9);
    }
  });
});

describe("examples/scan.yaml", () => {
  const lru = run("scan");
  const mglru = run("scan", { policy: "mglru" });

  it("under LRU (its machine's policy), the backup's pages flush the application's 24 in each of the 14 later rounds", () => {
    expect(lru.stats.faults.swapIn).toBe(14 * 24);
    // Every swap-in is the application's (the backup never comes back to a page): it waits for each.
    expect(byName(lru, "app").stalledTicks).toBeGreaterThanOrEqual(14 * 24 * 0.012);
  });

  it("under MGLRU the working set survives most rounds: a third of LRU's swap-ins, all the application's", () => {
    expect(mglru.stats.faults.swapIn).toBe(114);
    expect(byName(mglru, "app").stalledTicks).toBeLessThan(byName(lru, "app").stalledTicks / 2);
  });
});

describe("examples/thrashing.yaml: the seed's throttle against the PSI-triggered one", () => {
  const seed = run("thrashing");
  const psi = run("thrashing", { throttle: { kind: "psi", someAvg10: 60 } });

  it("both throttle the heavy process and never the light ones, and all finish", () => {
    for (const r of [seed, psi]) {
      expect(byName(r, "heavy").throttledTicks).toBeGreaterThan(0);
      expect(byName(r, "editor").throttledTicks).toBe(0);
      expect(byName(r, "shell").throttledTicks).toBe(0);
      expect(r.processes.every((p) => p.state === "exited")).toBe(true);
    }
  });

  it("PSI throttles later and less: only once the heavy process's own some avg10 reaches 60 %", () => {
    expect(byName(seed, "heavy").throttledTicks).toBe(357);
    expect(byName(psi, "heavy").throttledTicks).toBe(64);
    expect(psi.throttleSkips).toBeLessThan(seed.throttleSkips);
  });

  it("the heavy process carries nearly all the memory stall", () => {
    for (const r of [seed, psi]) {
      expect(byName(r, "heavy").stalledTicks).toBeGreaterThan(50 * byName(r, "editor").stalledTicks);
      expect(r.stats.psi.some.total).toBeGreaterThan(0);
    }
  });
});
