/**
 * `vmm386 sweep SOURCE`: a miss-ratio curve. SOURCE (a scenario .yaml or a
 * trace) runs once per memory size × policy — sizes as user-frame caps
 * (`--frames 16,32,64`) or RAM sizes (`--rams 2M,4M,8M`) — spread over
 * worker threads. Prints a table (or `--json`), and can write the HTML
 * report, the points as CSV and the curve as SVG or PNG. With `--shard I/N
 * --out FILE` it runs one shard of the grid and writes a part for
 * `sweep-merge` (sweep-merge.ts) instead.
 */
import type { Command } from "commander";
import { POLICY_NAMES } from "../../kernel/replacement/index.js";
import { parsePolicyList, type PolicyChoice } from "../../sim/policy-spec.js";
import { InputError } from "../../machine/input-error.js";
import { needsTicks } from "../../sim/machine-settings.js";
import type { MachineSettings } from "../../sim/system.js";
import { checkRamBytes, sizeValue } from "../../sim/scenario/machine-checks.js";
import { planSweep, runSweep, type SweepPlan, type SweepResult } from "../../sim/sweep/sweep.js";
import { parseShard, shardLabel, WHOLE_GRID, type Shard } from "../../sim/sweep/shard.js";
import { runSweepShard, sweepPartText, SWEEP_PART } from "../../sim/sweep/sweep-part.js";
import { abortOnFailure, openOutput, writeWhole } from "../../sim/output-file.js";
import { defaultWorkers, threadPool } from "../../sim/sweep/sweep-pool.js";
import { requireFile } from "../errors.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, describeOption, integer, parseFrames, settingsFromOptions, type CommonOptions } from "../options.js";
import { addSweepFileOptions, allOutputs, emitSweep, openSweepOutputs, type SweepOutputOptions } from "../sweep-outputs.js";

interface SweepOptions extends CommonOptions, SweepOutputOptions {
  policies?: string;
  frames?: string;
  rams?: string;
  workers?: string;
  shard?: string;
  out?: string;
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
      .option("--shard <I/N>", "run only shard I of N (the points whose index modulo N is I) and write them to --out, for sweep-merge")
      .option("--out <part.json>", "the sweep part a --shard run writes (without --shard: the whole grid, as shard 0/1)"),
  );
  addSweepFileOptions(cmd);
  // The shared options that sweep reads as lists: their help says so.
  describeOption(cmd, "--policy", "one policy or a comma-separated list; same as --policies");
  describeOption(cmd, "--ram", "one RAM size or a list; same as --rams");
  describeOption(cmd, "--user-frames", "one frame cap or a list; same as --frames");
  cmd.action(async (source: string, options: SweepOptions) => {
    if (options.swapImage !== undefined) {
      throw new InputError("sweep points run in parallel, each on its own temporary swap image", "--swap-image");
    }
    const shard = sweepShard(options);
    if (shard !== null) return runShard(inv, source, shard.shard, shard.out, options);
    const outputs = openSweepOutputs([source], options);
    const all = allOutputs(outputs);
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
  requireFile(source);
  const sizes = axis === "ram" ? parseRams(sizesText, option) : parseFrames(sizesText, option);
  const plan = planSweep(source, { axis, sizes, policies }, settingsFromOptions(rest), options.force === true);
  if (plan.kind === "trace") refuseWithoutTicks(policies, plan.settings);
  return plan;
}

/** A sweep replays a trace with no timer ticks: refuses what is measured in them (machine-settings.ts, needsTicks). */
function refuseWithoutTicks(policies: readonly PolicyChoice[], settings: MachineSettings): void {
  for (const policy of [undefined, ...policies]) {
    const problem = needsTicks(policy, settings.throttle);
    if (problem !== null) throw new InputError(`${problem.why}, and sweep replays a trace with none (replay --tick-every N has them)`, problem.option === "policy" ? "--policies" : "--throttle");
  }
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

/** The shard to run and its part file: --shard with --out, or the whole grid as 0/1 with --out alone; null for a whole sweep. */
function sweepShard(o: SweepOptions): { shard: Shard; out: string } | null {
  if (o.out === undefined) {
    if (o.shard !== undefined) throw new InputError("a shard is written to a part file: give --out part-I.json", "--shard");
    return null;
  }
  if (o.shard === undefined) return { shard: WHOLE_GRID, out: o.out };
  const parsed = parseShard(o.shard);
  if ("problem" in parsed) throw new InputError(parsed.problem, "--shard");
  return { shard: parsed, out: o.out };
}

/** Runs one shard of the grid and writes its part; the curve's outputs are sweep-merge's, once every part is in. */
async function runShard(inv: Invocation, source: string, shard: Shard, outPath: string, options: SweepOptions): Promise<void> {
  const curveOutputs: [string, string | undefined][] = [["--report", options.report], ["--csv", options.csv], ["--export-svg", options.exportSvg], ["--export-png", options.exportPng]];
  for (const [option, path] of curveOutputs) {
    if (path !== undefined) throw new InputError("a shard holds only some of the points: give it to sweep-merge, which makes the whole curve", option);
  }
  const out = openOutput(outPath, { kind: SWEEP_PART, force: options.force, inputs: [source], option: "--out" });
  const plan = await abortOnFailure([out], () => sweepPlan(source, options));
  const progress = inv.startProgress(options.json === true);
  const part = await abortOnFailure([out], () =>
    runSweepShard(plan, shard, threadPool(workerCount(options.workers)), (done, total) => progress.update(`sweep points of shard ${shardLabel(shard)}`, done, total)),
  ).finally(() => progress.stop());
  await writeWhole(out, sweepPartText(part));
  const indices = part.points.map((p) => p.index);
  if (options.json) inv.print(JSON.stringify({ out: out.path, shard: part.shard, total: part.total, indices, grid: part.grid }));
  else inv.print(`wrote ${out.path}: shard ${shardLabel(shard)}, ${indices.length} of ${part.total} points`);
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
