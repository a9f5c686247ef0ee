import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../../src/sim/scenario/loader.js";
import { runScenario, ScenarioRunner } from "../../../src/sim/scenario/runner.js";
import type { RunResult } from "../../../src/sim/scenario/result.js";
import { System } from "../../../src/sim/system.js";
import { systemConfig } from "../../../src/sim/machine-settings.js";

/** Loads and runs examples/NAME.yaml on the machine it describes. */
function runExample(name: string): RunResult {
  const scenario = loadScenarioFile(`examples/${name}.yaml`);
  const system = System.create({ ...systemConfig(scenario.machine), checkInvariants: false });
  try {
    return runScenario(system, scenario);
  } finally {
    system.close();
  }
}

const byName = (r: RunResult, name: string) => r.processes.find((p) => p.name === name)!;

describe("examples", () => {
  it("there is one example per concept, and every one loads", () => {
    const files = readdirSync("examples").filter((f) => f.endsWith(".yaml")).sort();
    expect(files).toEqual(["demand-paging.yaml", "fork-cow.yaml", "loop-thrash.yaml", "many-forks.yaml", "scan.yaml", "segfault.yaml", "stack-growth.yaml", "strict-tlb.yaml", "swapping.yaml", "thrashing.yaml"]);
    for (const f of files) expect(() => loadScenarioFile(`examples/${f}`)).not.toThrow();
  });

  it("demand paging: one demand-zero fault per page on the first pass, none on the second", () => {
    const r = runExample("demand-paging");
    expect(r.stats.faults.demandZero).toBe(64 + 16);
    expect(r.stats.faults.swapIn).toBe(0);
    expect(byName(r, "app").exitCode).toBe(0);
  });

  it("fork and COW: each write to a shared page is one COW fault, 32 by each side", () => {
    const r = runExample("fork-cow");
    expect(r.stats.faults.cow).toBe(64);
    expect(r.stats.vmm386.cow_copy + r.stats.vmstat.pgreuse).toBe(64);
    expect(r.processes.map((p) => p.state)).toEqual(["exited", "exited"]);
    expect(r.notes).toEqual([]);
  });

  it("many forks: 1,000 children each make 16 COW copies and exit; about 100 live at once", () => {
    const r = runExample("many-forks");
    expect(r.processes).toHaveLength(1001);
    expect(r.processes.every((p) => p.state === "exited" && p.exitCode === 0)).toBe(true);
    expect(r.stats.faults.cow).toBe(16_000);
    expect(r.stats.tasks).toMatchObject({ created: 1001, peak: 103, forkFailed: 0 });
    expect(r.stats.vmstat.pswpout).toBeGreaterThan(0);
  });

  it("swapping: pages go out to swap and come back as swap-in faults; nothing is killed", () => {
    const r = runExample("swapping");
    expect(r.stats.vmstat.pswpout).toBeGreaterThan(0);
    expect(r.stats.faults.swapIn).toBeGreaterThan(0);
    expect(r.stats.vmstat.pswpin).toBe(r.stats.faults.swapIn);
    expect(r.processes.every((p) => p.state === "exited")).toBe(true);
    expect(Math.max(...r.series.samples.map((s) => s.swapPages))).toBeGreaterThan(0);
  });

  it("thrashing: the heavy process is throttled and sits out turns while the light ones run on; all finish", () => {
    const scenario = loadScenarioFile("examples/thrashing.yaml");
    const system = System.create(systemConfig(scenario.machine));
    try {
      const runner = new ScenarioRunner(system, scenario);
      runner.runToEnd();
      const r = runner.result();
      expect(byName(r, "heavy").throttledTicks).toBeGreaterThan(0);
      expect(byName(r, "editor").throttledTicks).toBe(0);
      expect(byName(r, "shell").throttledTicks).toBe(0);
      expect(r.throttleSkips).toBeGreaterThan(0);
      expect(r.processes.every((p) => p.state === "exited")).toBe(true);
      expect(r.stats.faults.swapIn).toBeGreaterThan(r.stats.faults.demandZero);
    } finally {
      system.close();
    }
  });

  it("stack growth: one stack fault per new page below the top", () => {
    const r = runExample("stack-growth");
    expect(r.stats.faults.stack).toBe(16);
    expect(r.stats.faults.segv).toBe(0);
  });

  it("segfault: the null dereference kills its process with a fault report; the sibling exits normally", () => {
    const r = runExample("segfault");
    const buggy = byName(r, "buggy");
    expect(buggy.state).toBe("killed");
    expect(buggy.faultReport).toMatchObject({ address: 0x10, access: "read", mode: "user" });
    expect(buggy.faultReport!.reason.length).toBeGreaterThan(0);
    expect(byName(r, "healthy").exitCode).toBe(0);
    expect(r.stats.faults.segv).toBe(1);
  });

  it("strict TLB: the write after a PTE change without invalidation is reported", () => {
    const r = runExample("strict-tlb");
    expect(r.strictTlb).not.toBeNull();
    expect(r.strictTlb!.count).toBe(1);
    expect(r.strictTlb!.messages[0]).toContain("0x40000000");
    expect(byName(r, "victim").state).toBe("exited");
  });
});
