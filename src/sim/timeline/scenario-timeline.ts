/**
 * A scenario as a Timeline: each time the timeline needs the run afresh it
 * sets the scenario up on a new System exactly as the command line does
 * (the scenario's machine under the caller's settings, OPT's future
 * recorded first), so the state at step N is `vmm386 inspect --step N`'s.
 */
import { System, type SystemConfig } from "../system.js";
import { scenarioFuture } from "../scenario/opt-future.js";
import { ScenarioRunner } from "../scenario/runner.js";
import type { MachineSpec, Scenario } from "../scenario/types.js";
import { mergeMachine, systemConfig } from "../machine-settings.js";
import { ScenarioStepper, type Stepper } from "./stepper.js";
import { Timeline } from "./timeline.js";

/** The SystemConfig of `scenario` with `settings` laid over its machine, as the command line makes it. */
export function scenarioConfig(scenario: Scenario, settings: MachineSpec = {}): SystemConfig {
  return systemConfig(mergeMachine(scenario.machine, settings));
}

/** Makes the run of `scenario` under `settings` afresh, at move 0. */
export function scenarioStepper(scenario: Scenario, settings: MachineSpec = {}): () => Stepper {
  const config = scenarioConfig(scenario, settings);
  const future = scenarioFuture(scenario, config, (c) => System.create(c));
  return () => {
    const system = System.create({ ...config, future });
    try {
      const runner = new ScenarioRunner(system, scenario, { references: future });
      return new ScenarioStepper({ system, runner, close: () => system.close() });
    } catch (e) {
      system.close();
      throw e;
    }
  };
}

/** A timeline over `scenario` under `settings`. */
export function scenarioTimeline(scenario: Scenario, settings: MachineSpec = {}): Timeline {
  return new Timeline(scenarioStepper(scenario, settings));
}
