import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { stopScenarioAt } from "../../../src/sim/scenario/scenario-run.js";

const SCENARIO = `
name: stop
machine: {ram: 4M, swap: 0}
processes:
  - name: parent
    steps:
      - brk: +16K
      - touch: {at: heap, length: 16K, access: write}
      - fork: child
      - exit: 0
  - name: child
    steps: [{touch: {at: heap, length: 4K, access: write}}, {exit: 0}]
`;

describe("stopScenarioAt", () => {
  it("runs to a process's step, hands the session over there, and closes it after", async () => {
    let session: Parameters<Parameters<typeof stopScenarioAt>[4]>[0] | null = null;
    const seen = await stopScenarioAt(parseScenario(SCENARIO, "stop.yaml"), {}, { name: "parent", steps: 3 }, false, (s) => {
      session = s;
      return { steps: s.runner.stepsDone("parent"), finished: s.runner.finished, processes: [...s.runner.names.values()], faults: s.system.stats().faults.demandZero };
    });
    expect(seen).toEqual({ steps: 3, finished: false, processes: ["parent", "child"], faults: 4 });
    expect(() => session!.system.stats()).toThrow(/closed/);
  });

  it("runs to the end without a stop, and after N turns with one", async () => {
    const scenario = parseScenario(SCENARIO, "stop.yaml");
    expect(await stopScenarioAt(scenario, {}, null, false, (s) => s.runner.finished)).toBe(true);
    expect(await stopScenarioAt(scenario, {}, 2, false, (s) => s.runner.turns)).toBe(2);
  });
});
