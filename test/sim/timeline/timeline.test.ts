/**
 * Time travel is exact: on every example, the state at a move reached by
 * running straight there equals the state reached by running to the end
 * and coming back, and the state reached by stepping back one move at a
 * time — page tables, frames, TLB entries and counters alike.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../../src/sim/scenario/loader.js";
import { parseScenario } from "../../../src/sim/scenario/parse.js";
import { ScenarioRunner } from "../../../src/sim/scenario/runner.js";
import type { Scenario } from "../../../src/sim/scenario/types.js";
import { System } from "../../../src/sim/system.js";
import { userPageEntries } from "../../../src/sim/scenario/page-map.js";
import { ScenarioStepper, type Stepper } from "../../../src/sim/timeline/stepper.js";
import { MIN_ANCHOR_MOVES, Timeline } from "../../../src/sim/timeline/timeline.js";
import { systemConfig } from "../../../src/sim/machine-settings.js";
import { createMemorySwapDisk } from "../../../src/machine/disk-image.js";

const EXAMPLES = readdirSync("examples").filter((f) => f.endsWith(".yaml")).sort();

function stepperOf(scenario: Scenario): () => Stepper {
  return () => {
    const config = systemConfig(scenario.machine);
    const disk = createMemorySwapDisk({ sizeBytes: (config.swapBytes ?? 0) + (1 << 20), swapBytes: config.swapBytes ?? 0, diskId: 1 });
    const system = System.create({ ...config, swapDevice: disk.device, checkInvariants: false });
    const runner = new ScenarioRunner(system, scenario);
    return new ScenarioStepper({ system, runner, close: () => system.close() });
  };
}

/** Everything a view could show, read from the machine and the kernel. */
function fingerprint(s: Stepper): string {
  const sys = s.system;
  const processes = sys.processList().map((p) => ({
    ...p,
    entries: p.status.state === "running" && p.pdPhys !== 0 ? userPageEntries(sys.machine.memory, p.pdPhys) : [],
  }));
  return JSON.stringify({
    moves: s.moves,
    steps: s.steps,
    stats: sys.stats(),
    processes,
    tlb: sys.machine.mmu.tlb.entries(),
    swap: sys.vmm.swap,
    free: sys.vmm.freeFrames,
  });
}

describe("timeline", () => {
  for (const file of EXAMPLES) {
    it(`${file}: a move reached forward, from the end and step by step back is the same state`, () => {
      const scenario = loadScenarioFile(`examples/${file}`);
      const make = stepperOf(scenario);
      const timeline = new Timeline(make);
      const outline = timeline.explore();
      expect(outline.totalMoves).toBeGreaterThan(0);
      const points = [0, 1, Math.floor(outline.totalMoves / 2) + 1, outline.totalMoves];
      for (const p of points) {
        const straight = make();
        straight.advance(p);
        const expected = fingerprint(straight);
        if (p === outline.totalMoves) expect(outline.stepEnds.length).toBe(straight.steps);
        straight.close();
        timeline.seek(outline.totalMoves);
        timeline.seek(p);
        expect(fingerprint(timeline.current)).toBe(expected);
        timeline.seek(Math.min(outline.totalMoves, p + 2));
        for (let q = timeline.position - 1; q >= p; q--) timeline.seek(q);
        expect(fingerprint(timeline.current)).toBe(expected);
      }
      timeline.close();
    });
  }

  it("settled, the parked runs stand at anchors: whatever jumps came before, a jump makes at most 1/parked of the run's moves (or MIN_ANCHOR_MOVES), to the same state", () => {
    const scenario = loadScenarioFile("examples/fork-cow.yaml");
    const make = stepperOf(scenario);
    let made = 0;
    const counted = (): Stepper => {
      const stepper = make();
      const advance = stepper.advance.bind(stepper);
      stepper.advance = (budget: number): number => {
        const before = stepper.moves;
        const r = advance(budget);
        made += stepper.moves - before;
        return r;
      };
      return stepper;
    };
    const parked = 4;
    const timeline = new Timeline(counted, parked);
    const total = timeline.explore().totalMoves;
    let slices = 0;
    for (const p of [Math.floor(total * 0.19), Math.floor(total * 0.61), total - 1, 3, Math.floor(total * 0.4)]) {
      // Runs scattered by the jumps before; settled in small slices, as the worker does while the page stands still.
      while (timeline.settle(50)) slices++;
      made = 0;
      timeline.seek(p);
      expect(made).toBeLessThanOrEqual(Math.max(Math.ceil(total / parked), MIN_ANCHOR_MOVES));
      const straight = make();
      straight.advance(p);
      expect(fingerprint(timeline.current)).toBe(fingerprint(straight));
      straight.close();
    }
    expect(slices).toBeGreaterThan(Math.ceil(total / 50));
    timeline.close();
  });

  it("a short run has no anchors: settling it makes no runs", () => {
    const tiny = parseScenario("processes:\n  - name: a\n    steps:\n      - brk: +12K\n      - touch: {at: heap, length: 4}\n      - touch: {at: heap+4K, length: 4}\n      - touch: {at: heap+8K, length: 4}\n      - exit: 0\n", "tiny.yaml");
    const make = stepperOf(tiny);
    let made = 0;
    const timeline = new Timeline(() => (made++, make()), 12);
    const total = timeline.explore().totalMoves;
    const explored = made;
    while (timeline.settle(1));
    expect(total).toBeLessThan(11);
    expect(made).toBe(explored);
    timeline.close();
  });

  it("stepping by scenario step lands where inspect's --step N stops (after N turns)", () => {
    const scenario = loadScenarioFile("examples/fork-cow.yaml");
    const make = stepperOf(scenario);
    const timeline = new Timeline(make);
    const outline = timeline.explore();
    for (let n = 0; n <= outline.stepEnds.length; n++) {
      const config = systemConfig(scenario.machine);
      const disk = createMemorySwapDisk({ sizeBytes: (config.swapBytes ?? 0) + (1 << 20), swapBytes: config.swapBytes ?? 0, diskId: 1 });
      const system = System.create({ ...config, swapDevice: disk.device });
      const runner = new ScenarioRunner(system, scenario);
      runner.runTurns(n);
      const expected = fingerprint(new ScenarioStepper({ system, runner, close: () => system.close() }));
      system.close();
      timeline.seekStep(outline.stepEnds.length);
      timeline.seekStep(n);
      expect(timeline.stepAt(timeline.position)).toBe(n);
      expect(fingerprint(timeline.current)).toBe(expected);
    }
    timeline.close();
  });

  it("logs each fault with the move it happened in", () => {
    const timeline = new Timeline(stepperOf(loadScenarioFile("examples/stack-growth.yaml")));
    const outline = timeline.explore();
    const faults = outline.events.filter((e) => e.event.type === "fault");
    expect(faults).toHaveLength(16);
    expect(faults.map((f) => f.move)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    timeline.seek(5);
    expect(timeline.log.recent(5).map((e) => e.move)).toEqual([1, 2, 3, 4, 5]);
    timeline.close();
  });
});
