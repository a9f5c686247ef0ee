import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { ScenarioRunner, runScenario, scenarioAccessCount } from "../../../src/sim/scenario/runner.js";
import { countUserPages } from "../../../src/sim/scenario/page-map.js";
import { System } from "../../../src/sim/system.js";

function withSystem<T>(yaml: string, body: (runner: ScenarioRunner) => T): T {
  const scenario = parseScenario(yaml, "t.yaml");
  const system = System.create({ ramBytes: 8 << 20, swapBytes: 4 << 20, strictTlb: scenario.machine.strictTlb, checkInvariants: true });
  try {
    return body(new ScenarioRunner(system, scenario));
  } finally {
    system.close();
  }
}

const resident = (runner: ScenarioRunner, name: string): number =>
  countUserPages(runner.system.machine.memory, runner.pageDirectory(runner.pidOf(name)!)!).resident;

describe("scenario runner", () => {
  it("processes take turns, one step each", () => {
    const yaml = `processes:
  - name: a
    steps: [{brk: +16K}, {touch: {at: heap, length: 16K, access: write, pattern: strided}}]
  - name: b
    steps: [{brk: +8K}, {touch: {at: heap, length: 8K, access: write, pattern: strided}}]
`;
    withSystem(yaml, (runner) => {
      runner.runTurns(2);
      expect([resident(runner, "a"), resident(runner, "b")]).toEqual([0, 0]);
      runner.runTurns(3);
      expect([resident(runner, "a"), resident(runner, "b")]).toEqual([4, 0]);
      runner.runTurns(4);
      expect([resident(runner, "a"), resident(runner, "b")]).toEqual([4, 2]);
      expect(runner.finished).toBe(true);
    });
  });

  it("a forked child inherits its parent's break, so relative brk and touches go on from there", () => {
    const yaml = `processes:
  - name: parent
    steps: [{brk: +8K}, {touch: {at: heap, length: 8K, access: write, pattern: strided}}, {fork: child}, {exit: 0}]
  - name: child
    steps: [{brk: +4K}, {touch: {at: heap+8K, length: 4K, access: write}}, {exit: 7}]
`;
    const r = withSystem(yaml, (runner) => {
      runner.runToEnd();
      return runner.result();
    });
    expect(r.processes.map((p) => [p.name, p.state, p.exitCode])).toEqual([
      ["parent", "exited", 0],
      ["child", "exited", 7],
    ]);
    expect(r.notes).toEqual([]);
    expect(r.stats.faults.segv).toBe(0);
  });

  it("a refused call is a note naming the process and the scenario line", () => {
    const yaml = `processes:
  - name: app
    steps:
      - mmap: {at: heap, length: 4K}
`;
    const r = withSystem(yaml, (runner) => {
      runner.runToEnd();
      return runner.result();
    });
    expect(r.notes).toEqual(["app (pid 1), t.yaml:4 processes[0].steps[0]: mmap 0x40000000 + 4096 refused"]);
  });

  it("the recorder samples every sampleEvery accesses and follows each process's resident pages", () => {
    const yaml = `sampleEvery: 100
processes:
  - name: app
    steps: [{brk: +64K}, {touch: {at: heap, length: 64K, access: write}}]
`;
    const r = withSystem(yaml, (runner) => {
      expect(scenarioAccessCount(runner.scenario)).toBe(1024);
      runner.runToEnd();
      return runner.result();
    });
    const samples = r.series.samples;
    expect(samples.length).toBeGreaterThanOrEqual(10);
    expect(r.series.labels[1]).toBe("app");
    const last = samples[samples.length - 1];
    expect(last.processes).toEqual([{ pid: 1, resident: 16, workingSet: expect.any(Number) as number, swapped: 0 }]);
    for (let i = 1; i < samples.length; i++) expect(samples[i].accesses).toBeGreaterThanOrEqual(samples[i - 1].accesses);
  });

  it("with sampleEvery: tick the recorder takes one sample per timer tick", () => {
    const yaml = `sampleEvery: tick
ticksPerRound: 2
processes:
  - name: app
    steps: [{brk: +8K}, {touch: {at: heap, length: 8K, access: write}}, {tick: 5}, {exit: 0}]
`;
    const r = withSystem(yaml, (runner) => {
      runner.runToEnd();
      return runner.result();
    });
    const ticks = r.series.samples.map((s) => s.ticks);
    expect(r.stats.ticks).toBe(2 * 3 + 5);
    for (let t = 1; t <= r.stats.ticks; t++) expect(ticks).toContain(t);
  });

  it("the run's seed re-rolls random touches; the same seed replays them exactly", () => {
    const yaml = `processes:
  - name: app
    steps: [{brk: +1M}, {touch: {at: heap, length: 1M, pattern: random, count: 64}}]
`;
    const scenario = parseScenario(yaml, "t.yaml");
    const faults = (seed: number | undefined): number => {
      const system = System.create({ ramBytes: 8 << 20, swapBytes: 0, seed });
      try {
        return runScenario(system, scenario).stats.faults.total;
      } finally {
        system.close();
      }
    };
    const seeds = [1, 2, 3, 4, 5].map(faults);
    expect(new Set(seeds).size).toBeGreaterThan(1);
    expect(faults(3)).toBe(seeds[2]);
    expect(faults(undefined)).toBe(faults(undefined));
  });

  it("without strict mode a PTE changed behind the TLB's back goes unnoticed", () => {
    const yaml = `processes:
  - name: app
    steps: [{brk: +4K}, {touch: {at: heap, length: 4, access: write}}, {pokePte: {at: heap, clear: [writable]}}, {touch: {at: heap, length: 4, access: write}}]
`;
    const scenario = parseScenario(yaml, "t.yaml");
    const system = System.create({ ramBytes: 8 << 20, swapBytes: 0 });
    try {
      const r = runScenario(system, scenario);
      expect(r.strictTlb).toBeNull();
      expect(r.processes[0].state).toBe("running");
      expect(r.stats.faults.total).toBe(1);
    } finally {
      system.close();
    }
  });
});

describe("scenario runner in slices (run: the host gets in between slices)", () => {
  /** Two processes whose touch steps are each several slices long, swapping, with ticks and a fork between them. */
  const yaml = `ticksPerRound: 2
processes:
  - name: a
    steps:
      - brk: +2M
      - touch: {at: heap, length: 2M, pattern: random, count: 20000, access: mixed, seed: 3}
      - fork: c
      - touch: {at: heap, length: 1M, pattern: loop, loops: 5, stride: 64}
  - name: b
    steps:
      - brk: +1M
      - touch: {at: heap, length: 1M, pattern: hotcold, count: 15000, access: write, seed: 4}
  - name: c
    steps: [{touch: {at: heap, length: 512K, access: write, pattern: strided}}]
`;

  /** The whole outcome of a run: counters, processes, and what the recorder saw. */
  function outcome(drive: (runner: ScenarioRunner) => void | Promise<void>): Promise<unknown> {
    const scenario = parseScenario(yaml, "slices.yaml");
    const system = System.create({ ramBytes: 3 << 20, swapBytes: 8 << 20, userFrames: 300 });
    const runner = new ScenarioRunner(system, scenario);
    return Promise.resolve(drive(runner))
      .then(() => {
        const r = runner.result();
        return { stats: r.stats, processes: r.processes, samples: r.series.samples.length, turns: runner.turns };
      })
      .finally(() => system.close());
  }

  it("pausing touch steps at slice ends changes nothing: the same counters, processes and samples as in one go", async () => {
    const whole = await outcome((runner) => runner.runToEnd());
    expect(whole).toMatchObject({ stats: { faults: { swapIn: expect.any(Number) } } });
    expect((whole as { stats: { accesses: number } }).stats.accesses).toBeGreaterThan(4 * (1 << 14));
    expect(await outcome((runner) => runner.run())).toEqual(whole);
  });

  it("stops at a step or a turn count as the unsliced run does, a paused touch finished first", async () => {
    for (const turns of [3, 5]) {
      expect(await outcome((runner) => runner.run({ turns })), `turns ${turns}`).toEqual(await outcome((runner) => runner.runTurns(turns)));
    }
    for (const [process, steps] of [["a", 2], ["b", 2]] as const) {
      const sliced = await outcome((runner) => runner.run({ process, steps }));
      expect(sliced, `${process}:${steps}`).toEqual(await outcome((runner) => runner.runUntilStep(process, steps)));
    }
  });
});
