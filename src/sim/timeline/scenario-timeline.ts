/**
 * A scenario as a Timeline: each time the timeline needs the run afresh it
 * sets the scenario up on a new System as scenario-run.ts's openScenario
 * does for the command line (the scenario's machine under the caller's
 * settings, OPT's future recorded once, first), so the state at step N is
 * `vmm386 inspect --step N`'s.
 */
import { System, type MachineSettings, type SystemConfig } from "../system.js";
import { scenarioFuture } from "../scenario/opt-future.js";
import { ScenarioRunner } from "../scenario/runner.js";
import type { Scenario } from "../scenario/types.js";
import { mergeSettings, systemConfig } from "../machine-settings.js";
import { requirePolicyPlugins } from "../policy-spec.js";
import { ScenarioStepper, type Stepper } from "./stepper.js";
import { Timeline } from "./timeline.js";

/** The SystemConfig of `scenario` with `settings` laid over its machine, as the command line makes it. */
export function scenarioConfig(scenario: Scenario, settings: MachineSettings = {}): SystemConfig {
  return systemConfig(mergeSettings(scenario.machine, settings));
}

/** Makes the run of `scenario` under `settings` afresh, at move 0 (OPT's future recorded once, before). */
export async function scenarioStepper(scenario: Scenario, settings: MachineSettings = {}): Promise<() => Stepper> {
  const config = scenarioConfig(scenario, settings);
  await requirePolicyPlugins(config.policy);
  const future = await scenarioFuture(scenario, config, (c) => System.create(c));
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

/** A timeline over `scenario` under `settings`, keeping `parked` runs at most (Timeline's default if absent). */
export async function scenarioTimeline(scenario: Scenario, settings: MachineSettings = {}, parked?: number): Promise<Timeline> {
  return new Timeline(await scenarioStepper(scenario, settings), parked);
}
