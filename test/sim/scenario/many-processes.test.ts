/**
 * Fork-heavy scenarios, at a size a test can afford: a parent that forks
 * many short-lived children, the pid limit reached and not, and the counts
 * the run reports for them.
 */
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { plannedWork } from "../../../src/sim/scenario/program.js";
import type { RunResult } from "../../../src/sim/scenario/result.js";
import { runOn } from "../../helpers/run-scenario.js";
import { systemConfig } from "../../../src/sim/machine-settings.js";
import { runResultJson } from "../../../src/report/json.js";
import { runSummaryTable } from "../../../src/report/summary-table.js";

/** The fork scenario: a parent touches 64 KiB and forks `n` children; each writes 64 KiB and yields 100 times. */
function forkScenario(n: number, machine = ""): string {
  return `machine: {ram: 4M, swap: 8M${machine}}
processes:
  - name: parent
    steps:
      - brk: +64K
      - touch: {at: heap, length: 64K, access: write, pattern: strided}
      - repeat: {times: ${n}, steps: [{fork: child}]}
      - exit: 0
  - name: child
    steps:
      - touch: {at: heap, length: 64K, access: write, pattern: strided}
      - repeat: {times: 100, steps: [{yield: null}]}
      - exit: 0
`;
}

/** Runs `yaml` on its own machine with the invariant checker after every kernel operation. */
function run(yaml: string): RunResult {
  const scenario = parseScenario(yaml, "f.yaml");
  return runOn(scenario, { ...systemConfig(scenario.machine), checkInvariants: true });
}

describe("many processes", () => {
  it("a parent forks 30 children that each write 64 KiB (16 COW faults) and yield 100 times; all exit", () => {
    const r = run(forkScenario(30));
    expect(r.processes).toHaveLength(31);
    expect(r.processes.every((p) => p.state === "exited" && p.exitCode === 0)).toBe(true);
    expect(r.processes.slice(1).every((p) => p.name === "child" && p.parent === 1)).toBe(true);
    expect(r.stats.faults).toMatchObject({ demandZero: 16, cow: 30 * 16, segv: 0 });
    expect(r.stats.accesses).toBe(16 + 30 * 16);
    expect(r.stats.tasks).toEqual({ created: 31, running: 0, peak: 31, pidMax: 32768, forkFailed: 0, forkFailedAtPidLimit: 0 });
    expect(r.notes).toEqual([]);
  });

  it("counts a forked process's work once per fork: accesses, steps and processes", () => {
    const scenario = parseScenario(forkScenario(1000), "f.yaml");
    expect(plannedWork(scenario)).toEqual({ accesses: 16 + 1000 * 16, steps: 3 + 1000 + 1000 * 102, processes: 1001 });
  });

  it("past the pid limit forks fail as Linux's do at pid_max: counted, noted once with a count, and the run goes on", () => {
    const r = run(forkScenario(30, ", pidMax: 8"));
    expect(r.stats.tasks).toEqual({ created: 7, running: 0, peak: 7, pidMax: 8, forkFailed: 24, forkFailedAtPidLimit: 24 });
    expect(r.processes.every((p) => p.state === "exited")).toBe(true);
    expect(r.notes).toEqual([
      "parent (pid 1), f.yaml:7 processes[0].steps[2].repeat.steps[0]: fork of child failed: the pid limit is reached (EAGAIN: pidMax 8, 7 processes running) (24 times)",
    ]);
    const failed = "fork failed 24 times: 24 at the pid limit (pidMax 8: at most 7 processes at once)";
    expect(runSummaryTable(r)).toContain(failed);
    expect(runResultJson(r).tasks).toEqual(r.stats.tasks);
  });

  it("the limit counts live processes, not pids ever used: children that exit make room for the next", () => {
    const yaml = `machine: {pidMax: 3}
processes:
  - name: parent
    steps: [{repeat: {times: 50, steps: [{fork: child}]}}, {exit: 0}]
  - name: child
    steps: [{exit: 0}]
`;
    const r = run(yaml);
    expect(r.stats.tasks).toMatchObject({ created: 51, peak: 2, forkFailed: 0 });
    expect(r.processes.at(-1)).toMatchObject({ pid: 51, state: "exited" });
  });

  it("a terminal summary of thousands of alike processes is a few rows", () => {
    const r = run(forkScenario(300).replace("repeat: {times: 100, steps: [{yield: null}]}", "yield: null"));
    const table = runSummaryTable(r);
    expect(table).toMatch(/│ 2–301 +│ child ×300 +│ 1 +│ exited\(0\) +│/);
    expect(table.split("\n").length).toBeLessThan(20);
  });
});
