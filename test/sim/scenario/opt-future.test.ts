import { describe, expect, it } from "vitest";
import { POLICY_NAMES, type PolicyName } from "../../../src/kernel/replacement/index.js";
import { loadScenarioFile, parseScenario } from "../../../src/sim/scenario/loader.js";
import { RecordedFuture, ReferenceString, scenarioFuture, type OpenSystem } from "../../../src/sim/scenario/opt-future.js";
import { ScenarioRunner } from "../../../src/sim/scenario/runner.js";
import { ScenarioError, type Scenario, type Step } from "../../../src/sim/scenario/types.js";
import { System, type SystemConfig } from "../../../src/sim/system.js";

const open: OpenSystem = (config) => System.create(config);

/** Two processes on 24 user frames and no timer ticks: the turn order cannot depend on the policy. */
const FIXED_SCHEDULE = parseScenario(
  `
machine: {ram: 4M, swap: 4M, userFrames: 24}
ticksPerRound: 0
processes:
  - name: a
    steps:
      - brk: +128K
      - repeat: {times: 6, steps: [{touch: {at: heap, length: 128K, pattern: hotcold, count: 200, access: mixed, seed: 1}}]}
      - touch: {at: heap+4094, length: 4, size: 4}
      - exit: 0
  - name: b
    steps:
      - brk: +64K
      - repeat: {times: 6, steps: [{touch: {at: heap, length: 64K, pattern: random, count: 150, access: write, seed: 2}}, {touch: {at: heap, length: 32K, pattern: loop, loops: 2, stride: 4K}}]}
      - exit: 0
`,
  "fixed.yaml",
);

/** Runs `scenario` to the end under `policy`, OPT with its settled future. */
async function run(scenario: Scenario, config: SystemConfig) {
  const future = await scenarioFuture(scenario, config, open);
  const system = open({ ...config, future });
  try {
    const runner = new ScenarioRunner(system, scenario, { references: future });
    runner.runToEnd();
    return { result: runner.result(), runner, future };
  } finally {
    system.close();
  }
}

const config = (policy: PolicyName): SystemConfig => ({ ramBytes: 4 << 20, swapBytes: 4 << 20, userFrames: 24, policy });

describe("OPT on a scenario", () => {
  it("with the schedule fixed, OPT takes the fewest faults of every policy", async () => {
    const faults = new Map<string, number>();
    for (const p of POLICY_NAMES) faults.set(p, (await run(FIXED_SCHEDULE, config(p))).result.stats.faults.total);
    const opt = faults.get("opt")!;
    for (const [policy, n] of faults) if (policy !== "opt") expect(opt, policy).toBeLessThanOrEqual(n);
    expect(opt).toBeLessThan(faults.get("lru")!);
  });

  it("the runner notes every page reference the CPU makes (both pages of a straddling access)", () => {
    const sink = new ReferenceString();
    const system = open(config("clock"));
    try {
      new ScenarioRunner(system, FIXED_SCHEDULE, { references: sink }).runToEnd();
      expect(sink.length).toBe(system.stats().references);
      expect(system.stats().references).toBe(system.stats().accesses + 1);
    } finally {
      system.close();
    }
  });

  it("the run it serves makes exactly the references served", async () => {
    const { future } = await run(FIXED_SCHEDULE, config("opt"));
    expect(future!.matched).toBe(true);
  });

  it("a schedule bent by the thrashing throttle settles too (examples/thrashing.yaml)", async () => {
    const scenario = loadScenarioFile("examples/thrashing.yaml");
    const machine = { ramBytes: 3 << 20, swapBytes: 16 << 20 };
    const opt = await run(scenario, { ...machine, policy: "opt" });
    const lru = await run(scenario, { ...machine, policy: "lru" });
    expect(opt.future!.matched).toBe(true);
    expect(opt.result.throttleSkips).toBeGreaterThan(0);
    expect(opt.result.stats.faults.total).toBeLessThan(lru.result.stats.faults.total);
    expect(opt.result.processes.every((p) => p.state === "exited")).toBe(true);
  });

  it("a reference string that keeps changing is refused, naming the step where it changed", async () => {
    // Every other System has room for the whole loop or not: the heavy
    // process is throttled in one run and not in the next, and the light
    // one's turns move with it.
    const scenario = parseScenario(
      `
ticksPerRound: 1
processes:
  - name: heavy
    steps:
      - brk: +160K
      - repeat: {times: 8, steps: [{touch: {at: heap, length: 160K, pattern: strided}}]}
  - name: light
    steps:
      - brk: +4K
      - repeat: {times: 40, steps: [{touch: {at: heap, length: 4K}}]}
`,
      "flip.yaml",
    );
    let opened = 0;
    const flipping: OpenSystem = (c) => System.create({ ...c, userFrames: opened++ % 2 === 0 ? 8 : 1000 });
    let error: unknown;
    try {
      await scenarioFuture(scenario, { ramBytes: 4 << 20, swapBytes: 4 << 20, policy: "opt" }, flipping);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(
      /^flip\.yaml:\d+: processes\[\d\]\.steps\[\d\].*: policy opt: this step's page references change with the policy \(/,
    );
    expect(opened).toBe(7);
  });

  it("a scenario that forks is refused, a fork inside a repeat block too, naming the fork's line", async () => {
    const forking = parseScenario(
      "processes:\n  - name: a\n    steps:\n      - repeat: {times: 3, steps: [{yield: null}, {fork: b}]}\n  - name: b\n    steps: [{exit: 0}]\n",
      "f.yaml",
    );
    await expect(scenarioFuture(forking, { ramBytes: 4 << 20, policy: "opt" }, open)).rejects.toThrow(
      new ScenarioError(
        "f.yaml:4: processes[0].steps[0].repeat.steps[1]",
        "policy opt cannot judge the frames a fork shares copy-on-write (each sharer has its own next use); use it on a scenario without fork, or on a trace",
      ),
    );
  });

  it("other policies get no future", async () => {
    expect(await scenarioFuture(FIXED_SCHEDULE, config("lru"), open)).toBeUndefined();
  });
});

describe("RecordedFuture", () => {
  const A = 5;
  const B = 7;
  const C = 9;
  const recorded = (...keys: number[]): ReferenceString => {
    const s = new ReferenceString();
    for (const k of keys) s.note(k);
    return s;
  };
  const step = { line: 3, path: "processes[0].steps[1]", kind: "yield" } as Step;

  it("answers each page's next use after the reference just noted", () => {
    const f = new RecordedFuture(recorded(A, B, A, C));
    f.enter(step);
    f.note(A);
    expect(f.nextUse(A)).toBe(2);
    expect(f.nextUse(B)).toBe(Infinity);
    f.note(B);
    expect(f.nextUse(B)).toBe(Infinity);
    f.note(A);
    expect(f.nextUse(A)).toBe(Infinity);
    f.note(C);
    expect(f.matched).toBe(true);
  });

  it("a run that leaves the recording, or ends sooner, does not match", () => {
    const off = new RecordedFuture(recorded(A, B));
    off.enter(step);
    off.note(A);
    off.note(C);
    expect(off.matched).toBe(false);
    expect(off.divergedIn).toBe(step);
    const short = new RecordedFuture(recorded(A, B));
    short.note(A);
    expect(short.matched).toBe(false);
    expect(short.divergedIn).toBeNull();
  });
});
