/**
 * A scenario run on a fresh System, set up the same way whoever starts it
 * (the CLI's run, demo and inspect, the bench, the playground): the
 * scenario's machine with the caller's settings laid over it, OPT's future
 * recorded first when the policy needs one, the System closed at the end.
 * The work is estimated before anything runs: past the limit a scenario is
 * refused unless forced (work-estimate.ts). `openScenario` hands out the
 * set-up for stepping (inspect, a playground's step and scrub);
 * `executeScenario` runs it to its end.
 */
import { describeMachine, mergeSettings, systemConfig } from "../machine-settings.js";
import { choiceNeedsFuture, requirePolicyPlugins } from "../policy-spec.js";
import { System, type MachineSettings, type SystemConfig } from "../system.js";
import { scenarioFuture } from "./opt-future.js";
import type { RunResult } from "./result.js";
import { ScenarioRunner } from "./runner.js";
import type { Scenario } from "./types.js";
import { checkScenarioWork, type WorkEstimate } from "./work-estimate.js";

/** Display pairs of a machine: ram, swap, cpu, policy, tlb, ... */
export type MachineDisplay = Readonly<Record<string, string | number | boolean>>;

/** A scenario ready to step: its System and runner; `close()` releases the System's swap. */
export interface ScenarioSession {
  readonly config: SystemConfig;
  readonly system: System;
  readonly runner: ScenarioRunner;
  /** The machine as configured, for display. */
  readonly machine: MachineDisplay;
  close(): void;
}

export interface ScenarioRunOptions {
  /** Called now and then with accesses done and expected in all. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Run past the work limit. */
  readonly force?: boolean;
  /** Told the work estimate before anything runs (a front end may announce a long run). */
  readonly onWork?: (work: WorkEstimate) => void;
  /**
   * The run stops partway (inspect at a step): the work limit then applies
   * only when OPT must first record the whole run. Default false.
   */
  readonly partial?: boolean;
}

/**
 * `scenario` set up on a fresh System with `settings` over its own machine.
 * Under OPT the runs that record its future come first (throws
 * ScenarioError when that future does not settle, or when the work is over
 * the limit and not forced). Throws the System's InputErrors for a machine
 * it cannot build.
 */
export async function openScenario(scenario: Scenario, settings: MachineSettings = {}, options: ScenarioRunOptions = {}): Promise<ScenarioSession> {
  const config = systemConfig(mergeSettings(scenario.machine, settings));
  await requirePolicyPlugins(config.policy);
  if (!options.partial || (config.policy !== undefined && choiceNeedsFuture(config.policy))) {
    const work = checkScenarioWork(scenario, config.policy, options.force === true);
    options.onWork?.(work);
  }
  const future = await scenarioFuture(scenario, config, (c) => System.create(c));
  const system = System.create({ ...config, future });
  const machine = { ...describeMachine(config), swapImage: swapImageLabel(system, config) };
  try {
    const runner = new ScenarioRunner(system, scenario, { machine, references: future, onProgress: options.onProgress });
    return { config, system, runner, machine, close: () => system.close() };
  } catch (e) {
    system.close();
    throw e;
  }
}

/** Runs `scenario` to its end on a fresh System (closed afterwards); see `openScenario`. */
export async function executeScenario(scenario: Scenario, settings: MachineSettings = {}, options: ScenarioRunOptions = {}): Promise<RunResult> {
  const session = await openScenario(scenario, settings, options);
  try {
    await session.runner.run();
    return session.runner.result();
  } finally {
    session.close();
  }
}

/** Where to stop a scenario: after N turns (all processes together), once process `name` has done `steps` steps, or (null) at its end. */
export type ScenarioStop = number | { readonly name: string; readonly steps: number } | null;

/**
 * Runs `scenario` on a fresh System to `at` and hands the session to
 * `read`, to look at it there; closed once `read` returns. Stopping at a
 * step runs only part of the scenario: the work limit then holds only for
 * OPT's recording runs.
 */
export async function stopScenarioAt<T>(scenario: Scenario, settings: MachineSettings, at: ScenarioStop, force: boolean, read: (session: ScenarioSession) => T): Promise<T> {
  const session = await openScenario(scenario, settings, { force, partial: at !== null });
  try {
    await session.runner.run(at === null ? undefined : typeof at === "number" ? { turns: at } : { process: at.name, steps: at.steps });
    return read(session);
  } finally {
    session.close();
  }
}

/** Where a run swaps: the image given, a temporary one (unlinked from the start: no file to see), or none. */
function swapImageLabel(system: System, config: SystemConfig): string {
  if (config.swapImage !== undefined) return config.swapImage;
  return system.swapsOnTemporaryImage ? "temporary (no file left behind)" : "none";
}
