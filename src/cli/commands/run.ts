/**
 * `vmm386 run SCENARIO [options]`: runs a scenario file on a fresh System
 * and prints a summary table (or `--json`), optionally writing an HTML
 * report. Command-line machine options override the scenario's machine.
 */
import type { Command } from "commander";
import { loadScenarioFile } from "../../sim/scenario/loader.js";
import { ScenarioError, type Scenario } from "../../sim/scenario/types.js";
import { runScenario } from "../../sim/scenario/runner.js";
import { scenarioFuture } from "../../sim/scenario/opt-future.js";
import type { RunResult } from "../../sim/scenario/result.js";
import { System, type SystemConfig } from "../../sim/system.js";
import { TlbShapeError } from "../../machine/tlb.js";
import { BootError } from "../../kernel/boot.js";
import { DiskFormatError, DiskIoError } from "../../machine/block-device.js";
import { runResultJson } from "../../report/json.js";
import { runSummaryTable } from "../../report/summary-table.js";
import { UserError } from "../errors.js";
import { addCommonOptions, describeMachine, machineFromOptions, mergeMachine, requirePolicyPlugins, systemConfig, type CommonOptions } from "../options.js";
import { startProgress } from "../progress.js";
import { abortOnFailure, openOutput, writeWhole, type OutputFile } from "../../sim/output-file.js";
import { HTML_REPORT } from "../../report/output-kinds.js";
import { ANNOUNCE_ACCESSES, checkScenarioWork, describeWork, type WorkEstimate } from "../../sim/scenario/work-estimate.js";

export function register(program: Command): void {
  addCommonOptions(
    program
      .command("run")
      .description("Run a scenario file (YAML, see schema/scenario.schema.json) and summarise what the VMM did")
      .argument("<scenario>", "scenario file, e.g. examples/fork-cow.yaml")
      .addHelpText("after", SCENARIO_HELP),
  ).action(async (file: string, options: CommonOptions) => {
    const scenario = loadScenario(file);
    await requirePolicyPlugins(mergeMachine(scenario.machine, machineFromOptions(options)).policy);
    const report = openReport(options.report, options, [file]);
    const run = await abortOnFailure([report], () => executeScenario(scenario, options));
    await emitRun(run, options, report);
  });
}

const SCENARIO_HELP = `
A scenario (YAML; schema/scenario.schema.json; one example per concept in examples/):
  machine: {ram: 4M, swap: 16M, cpu: i486, policy: clock, tlb: 32, userFrames: 100, strictTlb: true,
            pidMax: 32768, cmdline: "root=swap", modules: [{file: initrd.bin, address: 0x400000}]}
  ticksPerRound: 1            # timer ticks after each round of turns
  processes:                  # take turns round-robin, one step per turn
    - name: parent
      steps:
        - brk: +64K           # or an address: heap+64K
        - touch: {at: heap, length: 64K, access: write, pattern: strided}
        - fork: child         # child's own steps are listed under its name
        - exit: 0
    - name: child
      steps: [{touch: {at: heap, length: 4K, access: write}}]
Steps: brk, mmap {at, length, prot}, munmap {at, length}, touch {at, length, pattern
(sequential|random|strided|hotcold|loop), access (read|write|mixed), stride, count, loops,
hotFraction, hotProbability, writeRatio, size, seed}, fork, exit, copyOut {at, text|length},
tick, switch, yield, repeat {times, steps}, pokePte {at, clear, set} (no TLB invalidation).
Addresses: numbers or code|heap|shared|stack (the stack top) with +/- offsets.
`;

/** Loads a scenario file; its problems become one-line UserErrors. */
export function loadScenario(file: string): Scenario {
  try {
    return loadScenarioFile(file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UserError(e.message);
    throw e;
  }
}

/** Runs `scenario` with the command-line overrides on a fresh System (closed afterwards). */
export function executeScenario(scenario: Scenario, options: CommonOptions): RunResult {
  const config = systemConfig(mergeMachine(scenario.machine, machineFromOptions(options)));
  const work = checkWork(scenario, config, options);
  // The second before the bar counts from here: under OPT, the runs that record the future come first.
  const progress = startProgress(options.json === true);
  if (work.accesses >= ANNOUNCE_ACCESSES) progress.announce(`${scenario.file}: ${describeWork(work)}`);
  try {
    const future = scenarioFuture(scenario, config, createSystem);
    const system = createSystem({ ...config, future });
    try {
      return runScenario(system, scenario, {
        machine: { ...describeMachine(config), swapImage: swapImageLabel(system, config) },
        onProgress: (done, total) => progress.update("accesses", done, total),
        references: future,
      });
    } finally {
      system.close();
    }
  } finally {
    progress.stop();
  }
}

/** The scenario's work estimate; over the limit without --force, a UserError. */
export function checkWork(scenario: Scenario, config: SystemConfig, options: CommonOptions): WorkEstimate {
  try {
    return checkScenarioWork(scenario, config.policy, options.force === true);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UserError(e.message);
    throw e;
  }
}

/** Where the run swaps: the image given, a temporary one (removed afterwards), or none. */
function swapImageLabel(system: System, config: SystemConfig): string {
  if (config.swapImage !== undefined) return config.swapImage;
  if (system.swapPath !== null) return `${system.swapPath} (temporary, removed afterwards)`;
  return "none";
}

/** System.create, with configuration problems (a TLB shape, a boot failure, a bad swap disk) as UserErrors. */
export function createSystem(config: SystemConfig): System {
  try {
    return System.create(config);
  } catch (e) {
    if (e instanceof TlbShapeError) throw new UserError(e.message, "--tlb");
    if (e instanceof BootError || e instanceof DiskFormatError || e instanceof DiskIoError) throw new UserError(e.message);
    throw e;
  }
}

/** Prints the run (table or JSON) and writes the HTML report into `report` (opened before the run) if asked. */
export async function emitRun(run: RunResult, options: CommonOptions, report: OutputFile | null): Promise<void> {
  const reportPath = report?.path;
  if (report !== null) {
    // The chart library takes a while to load: only when a report is wanted.
    const { renderRunHtml } = await import("../../report/html.js");
    await writeWhole(report, renderRunHtml(run));
  }
  // A kernel panic fails the run whatever the output format.
  if (run.panic !== null) process.exitCode = 1;
  if (options.json) {
    process.stdout.write(JSON.stringify(runResultJson(run, reportPath === undefined ? {} : { report: reportPath })) + "\n");
    return;
  }
  const machine = Object.entries(run.machine).map(([k, v]) => `${k} ${String(v)}`).join(", ");
  process.stdout.write(`${run.title}\nmachine: ${machine}\n${runSummaryTable(run)}\n`);
  for (const note of run.notes) process.stdout.write(`note: ${note}\n`);
  if (reportPath !== undefined) process.stdout.write(`report: ${reportPath}\n`);
}

/**
 * Opens the HTML report at `path` before the work starts (output-file.ts:
 * checked, written under a temporary name, renamed into place at the end),
 * or null when none is asked for. `inputs`: files the run reads, which the
 * report may not replace. `option`: undefined for a default path.
 */
export function openReport(path: string | undefined, options: CommonOptions, inputs: string[], option: string | undefined = "--report"): OutputFile | null {
  if (path === undefined) return null;
  const swapImage = options.swapImage === undefined ? [] : [options.swapImage];
  return openOutput(path, { kind: HTML_REPORT, force: options.force, inputs: [...inputs, ...swapImage], option });
}
