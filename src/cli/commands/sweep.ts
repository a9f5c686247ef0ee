/**
 * `vmm386 sweep SOURCE`: a miss-ratio curve. SOURCE (a scenario .yaml or a
 * trace) runs once per memory size × policy — sizes as user-frame caps
 * (`--frames 16,32,64`) or RAM sizes (`--rams 2M,4M,8M`) — spread over
 * worker threads. Prints a table (or `--json`), and can write the HTML
 * report and the curve as SVG or PNG.
 */
import type { Command } from "commander";
import { POLICY_NAMES } from "../../kernel/replacement/index.js";
import { parsePolicyList, type PolicyChoice } from "../../sim/policy-spec.js";
import { InputError } from "../../machine/input-error.js";
import { sweepSummaryTable } from "../../report/summary-table.js";
import { mergeSettings } from "../../sim/machine-settings.js";
import { checkRamBytes, sizeValue } from "../../sim/scenario/machine-checks.js";
import { loadScenarioFile } from "../../sim/scenario/loader.js";
import { checkSweepWork, runSweep, type SweepPlan, type SweepResult } from "../../sim/sweep/sweep.js";
import { abortOnFailure, openOutput, writeWhole, type OutputFile, type OutputKind } from "../../sim/output-file.js";
import { PNG_CHART, SVG_CHART, markSvg } from "../../report/output-kinds.js";
import { defaultWorkers, threadPool } from "../../sim/sweep/sweep-pool.js";
import { requireFile } from "../errors.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, describeOption, integer, parseFrames, settingsFromOptions, type CommonOptions } from "../options.js";
import { openReport } from "../output.js";

interface SweepOptions extends CommonOptions {
  policies?: string;
  frames?: string;
  rams?: string;
  workers?: string;
  exportSvg?: string;
  exportPng?: string;
}

const DEFAULT_FRAMES = "8,16,32,64,128,256";
const DEFAULT_POLICIES = "clock,fifo,lru";

export function register(program: Command, inv: Invocation): void {
  const cmd = addCommonOptions(
    program
      .command("sweep")
      .description("Miss-ratio curve: run a scenario or trace at several memory sizes under several policies")
      .argument("<source>", "scenario (.yaml) or trace (lackey, reference string or binary; gzip ok)")
      .option("--policies <list>", `comma-separated policies (${POLICY_NAMES.join(", ")}, NAME:key=value,..., ./plugin.js); same as --policy LIST (default ${DEFAULT_POLICIES})`)
      .option("--frames <list>", `user-frame caps, e.g. 16,32,64 or 8..512 (doubling); same as --user-frames LIST (default ${DEFAULT_FRAMES})`)
      .option("--rams <list>", "RAM sizes instead of frame caps, e.g. 2M,3M,4M; same as --ram LIST")
      .option("--workers <n>", "worker threads (default: one per CPU, at least 2; 1 = run in this thread)")
      .option("--export-svg <file.svg>", "write the miss-ratio curve as SVG")
      .option("--export-png <file.png>", "write the miss-ratio curve as PNG"),
  );
  // The shared options that sweep reads as lists: their help says so.
  describeOption(cmd, "--policy", "one policy or a comma-separated list; same as --policies");
  describeOption(cmd, "--ram", "one RAM size or a list; same as --rams");
  describeOption(cmd, "--user-frames", "one frame cap or a list; same as --frames");
  cmd.action(async (source: string, options: SweepOptions) => {
    if (options.swapImage !== undefined) {
      throw new InputError("sweep points run in parallel, each on its own temporary swap image", "--swap-image");
    }
    const outputs = openSweepOutputs(source, options);
    const all = Object.values(outputs);
    const plan = await abortOnFailure(all, () => sweepPlan(source, options));
    const progress = inv.startProgress(options.json === true);
    const sweep = await abortOnFailure(all, () =>
      runSweep(plan, threadPool(workerCount(options.workers)), (done, total) => progress.update("sweep points", done, total)),
    ).finally(() => progress.stop());
    await abortOnFailure(all, () => emitSweep(inv, sweep, options, outputs));
  });
}

/** The points to run: the source, the sizes and policies asked for, and the machine every point shares. */
function sweepPlan(source: string, options: SweepOptions): SweepPlan {
  const { axis, sizesText, option, rest } = sweepAxis(options);
  const policies = sweepPolicies(options);
  const kind = /\.ya?ml$/i.test(source) ? "scenario" : "trace";
  requireFile(source);
  const scenario = kind === "scenario" ? loadScenarioFile(source) : null;
  const base = scenario?.machine ?? {};
  const sizes = axis === "ram" ? parseRams(sizesText, option) : parseFrames(sizesText, option);
  if (scenario !== null) checkSweepWork(scenario, policies, sizes.length, options.force === true);
  return { source, kind, axis, sizes, policies, settings: mergeSettings(base, settingsFromOptions(rest)) };
}

/**
 * What is swept: RAM sizes (--rams, or --ram with a list) or user-frame caps
 * (--frames or --user-frames, a list or a range; the default). A single
 * --ram with a frames sweep is the fixed RAM of every point.
 */
function sweepAxis(o: SweepOptions): { axis: SweepResult["axis"]; sizesText: string; option: string; rest: SweepOptions } {
  const ramList = o.rams ?? (o.ram?.includes(",") ? o.ram : undefined);
  const framesList = o.frames ?? o.userFrames;
  if (o.frames !== undefined && o.userFrames !== undefined) throw new InputError("give --frames or --user-frames, not both", "--user-frames");
  if (o.rams !== undefined && o.ram !== undefined) throw new InputError("give --rams or --ram, not both", "--ram");
  if (ramList !== undefined && framesList !== undefined) throw new InputError("sweep RAM sizes or user frames, not both", "--frames");
  const rest: SweepOptions = { ...o, userFrames: undefined, policy: undefined, ram: ramList !== undefined ? undefined : o.ram };
  if (ramList !== undefined) return { axis: "ram", sizesText: ramList, option: o.rams !== undefined ? "--rams" : "--ram", rest };
  return { axis: "userFrames", sizesText: framesList ?? DEFAULT_FRAMES, option: o.userFrames !== undefined ? "--user-frames" : "--frames", rest };
}

/** --workers, or by default one per CPU and at least 2: the main thread only hands out jobs. */
export function workerCount(option: string | undefined, cpus?: number): number {
  return option === undefined ? defaultWorkers(cpus) : integer(option, "--workers", 1, 256);
}

/** The sweep's output files, checked and opened before any point runs (output-file.ts). */
interface SweepOutputs {
  report: OutputFile | null;
  svg: OutputFile | null;
  png: OutputFile | null;
}

function openSweepOutputs(source: string, options: SweepOptions): SweepOutputs {
  const opened: OutputFile[] = [];
  const open = (file: string | undefined, kind: OutputKind, option: string): OutputFile | null => {
    const output = file === undefined ? null : openOutput(file, { kind, force: options.force, inputs: [source], option });
    if (output !== null) opened.push(output);
    return output;
  };
  try {
    const report = openReport(options.report, options, [source]);
    if (report !== null) opened.push(report);
    return { report, svg: open(options.exportSvg, SVG_CHART, "--export-svg"), png: open(options.exportPng, PNG_CHART, "--export-png") };
  } catch (e) {
    // A refused path gives up those opened before it.
    for (const output of opened) output.abort();
    throw e;
  }
}

async function emitSweep(inv: Invocation, sweep: SweepResult, options: SweepOptions, outputs: SweepOutputs): Promise<void> {
  // Chart and PNG libraries load only when an output needs them.
  if (outputs.report !== null) await writeWhole(outputs.report, (await import("../../report/html.js")).renderSweepHtml(sweep));
  if (outputs.svg !== null || outputs.png !== null) {
    const svg = (await import("../../report/sweep.js")).missRatioChart(sweep, 900, 420);
    if (outputs.svg !== null) await writeWhole(outputs.svg, markSvg(svg));
    if (outputs.png !== null) await writeWhole(outputs.png, (await import("../../report/png.js")).svgToPng(svg));
  }
  if (options.json) {
    inv.print(JSON.stringify({ ...sweep, report: options.report ?? null }));
    return;
  }
  inv.print(`${sweep.title} (miss ratio = faults / references)\n${sweepSummaryTable(sweep)}`);
  for (const path of [options.report, options.exportSvg, options.exportPng]) if (path !== undefined) inv.print(`wrote ${path}`);
}

/** The policies swept: --policies, or --policy (one or a list), else the default three. */
function sweepPolicies(o: SweepOptions): PolicyChoice[] {
  if (o.policies !== undefined && o.policy !== undefined) throw new InputError("give --policies or --policy, not both", "--policy");
  const option = o.policy !== undefined ? "--policy" : "--policies";
  const parsed = parsePolicyList(o.policies ?? o.policy ?? DEFAULT_POLICIES);
  if ("problem" in parsed) throw new InputError(parsed.problem, option);
  return parsed.choices;
}

function parseRams(text: string, option: string): number[] {
  const sizes = text.split(",").map((s) => {
    const v = sizeValue(s.trim());
    if (typeof v === "string") throw new InputError(v, option);
    const problem = checkRamBytes(v);
    if (problem !== null) throw new InputError(problem, option);
    return v;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}
