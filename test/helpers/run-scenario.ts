/** A scenario run to the end on a System of its own, closed afterwards. */
import { runScenario } from "../../src/sim/scenario/runner.js";
import type { RunResult } from "../../src/sim/scenario/result.js";
import type { Scenario } from "../../src/sim/scenario/types.js";
import { System, type SystemConfig } from "../../src/sim/system.js";

/** Runs `scenario` on a fresh System of `config`. */
export function runOn(scenario: Scenario, config: SystemConfig): RunResult {
  const system = System.create(config);
  try {
    return runScenario(system, scenario);
  } finally {
    system.close();
  }
}
