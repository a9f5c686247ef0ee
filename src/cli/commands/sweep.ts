/**
 * `vmm386 sweep SOURCE`: a miss-ratio curve. SOURCE (a scenario .yaml or a
 * trace) runs once per memory size × policy — sizes as user-frame caps
 * (`--frames 16,32,64`) or RAM sizes (`--rams 2M,4M,8M`) — spread over
 * worker threads. Prints a table (or `--json`), and can write the HTML
 * report and the curve as SVG or PNG.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Command } from "commander";
import { DEFAULT_POLICY, POLICY_NAMES } from "../../kernel/replacement/index.js";
import { parsePolicyList, policyLabel, type PolicyChoice } from "../../sim/policy-spec.js";
import { formatSize } from "../../machine/units.js";
import { runSweepJob, type SweepJob, type SweepJobResult } from "../../sim/scenario/sweep-point.js";
import type { SweepPoint, SweepResult } from "../../report/sweep.js";
import { sweepSummaryTable } from "../../report/summary-table.js";
import { UserError, requireFile } from "../errors.js";
import { addCommonOptions, describeMachine, describeOption, integer, machineFromOptions, mergeMachine, requirePolicyPlugins, systemConfig, type CommonOptions } from "../options.js";
import { startProgress } from "../progress.js";
import { loadScenario, openReport } from "./run.js";
import { abortOnFailure, openOutput, writeWhole, type OutputFile, type OutputKind } from "../../sim/output-file.js";
import { PNG_CHART, SVG_CHART, markSvg } from "../../report/output-kinds.js";
import { describeWork, estimateScenarioWork, formatCount } from "../../sim/scenario/work-estimate.js";
import type { Scenario } from "../../sim/scenario/types.js";
import { checkRamBytes, sizeValue } from "../../sim/scenario/machine-checks.js";

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

export function register(program: Command): void {
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
      throw new UserError("sweep points run in parallel, each on its own temporary swap image", "--swap-image");
    }
    const outputs = openSweepOutputs(source, options);
    const sweep = await abortOnFailure(Object.values(outputs), () => sweep_(source, options));
    await abortOnFailure(Object.values(outputs), () => emitSweep(sweep, options, outputs));
  });
}

async function sweep_(source: string, options: SweepOptions): Promise<SweepResult> {
  const { axis, sizesText, option, rest } = sweepAxis(options);
  const policies = sweepPolicies(options);
  await requirePolicyPlugins(policies);
  const kind = /\.ya?ml$/i.test(source) ? "scenario" : "trace";
  requireFile(source);
  const scenario = kind === "scenario" ? loadScenario(source) : null;
  const base = scenario?.machine ?? {};
  const sizes = axis === "ram" ? parseRams(sizesText, option) : parseFrames(sizesText, option);
  if (scenario !== null) checkSweepWork(scenario, policies, sizes.length, options.force === true);
  const common = mergeMachine(base, machineFromOptions(rest));
  const jobs: SweepJob[] = [];
  for (const policy of policies) {
    for (const size of sizes) {
      const spec = axis === "ram" ? { ...common, policy, ramBytes: size } : { ...common, policy, userFrames: size };
      jobs.push({ index: jobs.length, kind, file: source, config: systemConfig(spec) });
    }
  }
  const results = await runJobs(jobs, workerCount(options.workers), options.json === true);
  const points: SweepPoint[] = jobs.map((job, i) => {
    const r = results[i];
    const policy = job.config.policy === undefined ? DEFAULT_POLICY : policyLabel(job.config.policy);
    if (r.error !== undefined) throw new UserError(`point ${policy} at ${label(axis, sizeOf(job, axis))}: ${r.error}`, source);
    return {
      policy,
      size: sizeOf(job, axis),
      label: label(axis, sizeOf(job, axis)),
      references: r.references,
      faults: r.faults,
      missRatio: r.references === 0 ? 0 : r.faults / r.references,
      majorFaults: r.majorFaults,
      killed: r.killed,
    };
  });
  const fixed = describeMachine(systemConfig(common));
  delete fixed.policy;
  if (axis === "ram") delete fixed.ram;
  return { title: `Miss-ratio curve of ${source}`, source, axis, policies: policies.map(policyLabel), sizes, points, machine: fixed };
}

/**
 * What is swept: RAM sizes (--rams, or --ram with a list) or user-frame caps
 * (--frames or --user-frames, a list or a range; the default). A single
 * --ram with a frames sweep is the fixed RAM of every point.
 */
function sweepAxis(o: SweepOptions): { axis: SweepResult["axis"]; sizesText: string; option: string; rest: SweepOptions } {
  const ramList = o.rams ?? (o.ram?.includes(",") ? o.ram : undefined);
  const framesList = o.frames ?? o.userFrames;
  if (o.frames !== undefined && o.userFrames !== undefined) throw new UserError("give --frames or --user-frames, not both", "--user-frames");
  if (o.rams !== undefined && o.ram !== undefined) throw new UserError("give --rams or --ram, not both", "--ram");
  if (ramList !== undefined && framesList !== undefined) throw new UserError("sweep RAM sizes or user frames, not both", "--frames");
  const rest: SweepOptions = { ...o, userFrames: undefined, policy: undefined, ram: ramList !== undefined ? undefined : o.ram };
  if (ramList !== undefined) return { axis: "ram", sizesText: ramList, option: o.rams !== undefined ? "--rams" : "--ram", rest };
  return { axis: "userFrames", sizesText: framesList ?? DEFAULT_FRAMES, option: o.userFrames !== undefined ? "--user-frames" : "--frames", rest };
}

function sizeOf(job: SweepJob, axis: SweepResult["axis"]): number {
  return axis === "ram" ? job.config.ramBytes : (job.config.userFrames ?? 0);
}

function label(axis: SweepResult["axis"], size: number): string {
  return axis === "ram" ? formatSize(size) : `${size} frames`;
}

/** --workers, or by default one per CPU and at least 2: the main thread only hands out jobs. */
export function workerCount(option: string | undefined, cpus = availableParallelism()): number {
  return option === undefined ? Math.max(2, cpus) : integer(option, "--workers", 1, 256);
}

/** Runs every job, in `workers` threads (or here when 1), results in job order. */
async function runJobs(jobs: SweepJob[], workers: number, quiet: boolean): Promise<SweepJobResult[]> {
  const progress = startProgress(quiet);
  const results: SweepJobResult[] = new Array<SweepJobResult>(jobs.length);
  let done = 0;
  const finish = (r: SweepJobResult): void => {
    results[r.index] = r;
    progress.update("sweep points", ++done, jobs.length);
  };
  try {
    const url = workerUrl();
    if (workers <= 1 || jobs.length <= 1 || url === null) {
      for (const job of jobs) finish(await runSweepJob(job));
      return results;
    }
    const queue = [...jobs];
    const threads = Array.from({ length: Math.min(workers, jobs.length) }, () => (url.pathname.endsWith(".ts") ? tsxWorker(url) : new Worker(url)));
    try {
      await Promise.all(threads.map((w) => runWorker(w, queue, finish)));
    } finally {
      // A failed worker must not leave the others holding the process open.
      await Promise.all(threads.map((w) => w.terminate()));
    }
    return results;
  } finally {
    progress.stop();
  }
}

/** Feeds jobs from `queue` to `worker` until the queue is empty. */
function runWorker(worker: Worker, queue: SweepJob[], finish: (r: SweepJobResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (): void => {
      const job = queue.shift();
      if (job === undefined) {
        resolve();
        return;
      }
      worker.postMessage(job);
    };
    worker.on("message", (r: SweepJobResult) => {
      finish(r);
      next();
    });
    worker.on("error", reject);
    next();
  });
}

/** From source (tests, tsx) a worker must register tsx's loader before importing the .ts entry. */
function tsxWorker(url: URL): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const script = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(script, { eval: true });
}

/** The worker script next to this build (.js), or under tsx from source (.ts); null if neither exists. */
function workerUrl(): URL | null {
  for (const ext of [".js", ".ts"]) {
    const url = new URL(`../../sim/scenario/sweep-worker${ext}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
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

/** Every point runs the scenario: over the work limit in all, refused unless --force. */
function checkSweepWork(scenario: Scenario, policies: readonly PolicyChoice[], sizes: number, force: boolean): void {
  for (const policy of policies) {
    const work = estimateScenarioWork(scenario, policy);
    const all = { ...work, accesses: work.accesses * sizes };
    if (all.accesses > all.limit && !force) {
      throw new UserError(`${sizes} points under ${policyLabel(policy)}: ${describeWork(all)} in all, more than the ${formatCount(all.limit)} vmm386 runs without --force`, scenario.file);
    }
  }
}

async function emitSweep(sweep: SweepResult, options: SweepOptions, outputs: SweepOutputs): Promise<void> {
  // Chart and PNG libraries load only when an output needs them.
  if (outputs.report !== null) await writeWhole(outputs.report, (await import("../../report/html.js")).renderSweepHtml(sweep));
  if (outputs.svg !== null || outputs.png !== null) {
    const svg = (await import("../../report/sweep.js")).missRatioChart(sweep, 900, 420);
    if (outputs.svg !== null) await writeWhole(outputs.svg, markSvg(svg));
    if (outputs.png !== null) await writeWhole(outputs.png, (await import("../../report/png.js")).svgToPng(svg));
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...sweep, report: options.report ?? null }) + "\n");
    return;
  }
  process.stdout.write(`${sweep.title} (miss ratio = faults / references)\n${sweepSummaryTable(sweep)}\n`);
  for (const path of [options.report, options.exportSvg, options.exportPng]) if (path !== undefined) process.stdout.write(`wrote ${path}\n`);
}

/** The policies swept: --policies, or --policy (one or a list), else the default three. */
function sweepPolicies(o: SweepOptions): PolicyChoice[] {
  if (o.policies !== undefined && o.policy !== undefined) throw new UserError("give --policies or --policy, not both", "--policy");
  const option = o.policy !== undefined ? "--policy" : "--policies";
  const parsed = parsePolicyList(o.policies ?? o.policy ?? DEFAULT_POLICIES);
  if ("problem" in parsed) throw new UserError(parsed.problem, option);
  return parsed.choices;
}

/** "16,32,64" or "8..512" (doubling from the first to the last). */
export function parseFrames(text: string, option = "--frames"): number[] {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (range !== null) {
    const lo = integer(range[1], option, 1, 0x100000);
    const hi = integer(range[2], option, lo, 0x100000);
    const out: number[] = [];
    for (let n = lo; n <= hi; n *= 2) out.push(n);
    return out;
  }
  const sizes = text.split(",").map((s) => integer(s, option, 1, 0x100000));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function parseRams(text: string, option: string): number[] {
  const sizes = text.split(",").map((s) => {
    const v = sizeValue(s.trim());
    if (typeof v === "string") throw new UserError(v, option);
    const problem = checkRamBytes(v);
    if (problem !== null) throw new UserError(problem, option);
    return v;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}
