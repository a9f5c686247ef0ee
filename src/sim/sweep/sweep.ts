/**
 * A sweep: one scenario or trace run at several memory sizes (user-frame
 * caps or RAM sizes) under several policies, reduced to a miss-ratio curve.
 * The plan becomes one job per point (plain data, so a job can cross to a
 * worker); a JobRunner runs them — in this thread, or in a pool of threads
 * (sweep-pool.ts, the host's) — and the results become the SweepResult
 * that the table, the JSON, the report and the chart show.
 */
import { DEFAULT_POLICY } from "../../kernel/replacement/index.js";
import { InputError } from "../../machine/input-error.js";
import { formatSize } from "../../machine/units.js";
import { describeMachine, mergeSettings, systemConfig } from "../machine-settings.js";
import { loadScenarioFile } from "../scenario/loader.js";
import { policyLabel, requirePolicyPlugins, type PolicyChoice } from "../policy-spec.js";
import type { Scenario } from "../scenario/types.js";
import { describeWork, estimateScenarioWork, formatCount } from "../scenario/work-estimate.js";
import type { MachineSettings } from "../system.js";
import { runSweepJob, type SweepJob, type SweepJobResult } from "./sweep-point.js";

/** What a sweep varies: user-frame caps, or RAM sizes. */
export type SweepAxis = "userFrames" | "ram";

/** The scenario swept, as read and checked once at planning: each point (in a worker or not) runs it without reading the file again. */
type SweepSource = { readonly kind: "trace" } | { readonly kind: "scenario"; readonly scenario: Scenario };

export type SweepPlan = SweepSource & {
  /** The scenario (.yaml) or trace swept. */
  readonly source: string;
  readonly axis: SweepAxis;
  /** Frame caps or RAM bytes, ascending. */
  readonly sizes: readonly number[];
  readonly policies: readonly PolicyChoice[];
  /** Every point's machine (a scenario's own with the caller's settings over it), before the axis and policy. */
  readonly settings: MachineSettings;
};

export interface SweepPoint {
  readonly policy: string;
  /** The memory size swept: user frames (--user-frames sweeps) or RAM bytes (RAM sweeps). */
  readonly size: number;
  /** "64 frames", "4M" */
  readonly label: string;
  readonly references: number;
  /** Page faults (total, every kind). */
  readonly faults: number;
  /** faults / references. */
  readonly missRatio: number;
  /** Major faults (swap-ins). */
  readonly majorFaults: number;
  /** Processes killed by faults during the point (should be 0). */
  readonly killed: number;
}

export interface SweepResult {
  readonly title: string;
  /** The trace or scenario swept. */
  readonly source: string;
  readonly axis: SweepAxis;
  readonly policies: readonly string[];
  readonly sizes: readonly number[];
  readonly points: readonly SweepPoint[];
  /** Fixed settings of every point (cpu, tlb, ...). */
  readonly machine: Readonly<Record<string, string | number | boolean>>;
}

/** Runs every job, calling `done` as each finishes; results in job order. */
export type JobRunner = (jobs: readonly SweepJob[], done: (result: SweepJobResult) => void) => Promise<SweepJobResult[]>;

/** Runs the jobs one after the other in this thread. */
export const inThisThread: JobRunner = async (jobs, done) => {
  const results: SweepJobResult[] = [];
  for (const job of jobs) {
    const r = await runSweepJob(job);
    done(r);
    results.push(r);
  }
  return results;
};

/**
 * Runs the plan's points with `runJobs` (`onProgress`: points done of all);
 * a point that could not run is an InputError naming it and the source.
 */
export async function runSweep(plan: SweepPlan, runJobs: JobRunner = inThisThread, onProgress?: (done: number, total: number) => void): Promise<SweepResult> {
  return sweepResult(sweepHeader(plan), await runSweepJobs(plan, sweepJobs(plan), runJobs, onProgress));
}

/** Runs `jobs` (all of the plan's, or a shard's) with `runJobs`; their points in job order. */
export async function runSweepJobs(plan: SweepPlan, jobs: readonly SweepJob[], runJobs: JobRunner = inThisThread, onProgress?: (done: number, total: number) => void): Promise<SweepPoint[]> {
  // Loaded here first, so a bad plugin is refused once, by name, before any point runs (each worker loads its own).
  await requirePolicyPlugins(plan.policies);
  let done = 0;
  const results = await runJobs(jobs, () => onProgress?.(++done, jobs.length));
  const byIndex = new Map(results.map((r) => [r.index, r]));
  return jobs.map((job) => sweepPoint(plan, job, byIndex.get(job.index)));
}

/** A sweep's result without its points: what the plan alone decides. */
export type SweepHeader = Omit<SweepResult, "points">;

/** The plan's title, source, axis, policies, sizes and fixed machine settings. */
export function sweepHeader(plan: SweepPlan): SweepHeader {
  const fixed = describeMachine(systemConfig(plan.settings));
  delete fixed.policy;
  if (plan.axis === "ram") delete fixed.ram;
  return { title: `Miss-ratio curve of ${plan.source}`, source: plan.source, axis: plan.axis, policies: plan.policies.map(policyLabel), sizes: plan.sizes, machine: fixed };
}

/** The result of `header` and its points, in the one key order every output keeps (a merged sweep's JSON is the unsharded one's, byte for byte). */
export function sweepResult(header: SweepHeader, points: readonly SweepPoint[]): SweepResult {
  const { title, source, axis, policies, sizes, machine } = header;
  return { title, source, axis, policies, sizes, points, machine };
}

/** One job per policy × size, policies outermost. */
export function sweepJobs(plan: SweepPlan): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (const policy of plan.policies) {
    for (const size of plan.sizes) {
      const settings = plan.axis === "ram" ? { ...plan.settings, policy, ramBytes: size } : { ...plan.settings, policy, userFrames: size };
      const config = systemConfig(settings);
      jobs.push(plan.kind === "trace" ? { index: jobs.length, kind: "trace", file: plan.source, config } : { index: jobs.length, kind: "scenario", scenario: plan.scenario, config });
    }
  }
  return jobs;
}

function sweepPoint(plan: SweepPlan, job: SweepJob, r: SweepJobResult | undefined): SweepPoint {
  const size = plan.axis === "ram" ? job.config.ramBytes : (job.config.userFrames ?? 0);
  const label = plan.axis === "ram" ? formatSize(size) : `${size} frames`;
  const policy = job.config.policy === undefined ? DEFAULT_POLICY : policyLabel(job.config.policy);
  if (r === undefined || r.error !== undefined) throw new InputError(`point ${policy} at ${label}: ${r?.error ?? "did not run"}`, plan.source);
  return {
    policy,
    size,
    label,
    references: r.references,
    faults: r.faults,
    missRatio: r.references === 0 ? 0 : r.faults / r.references,
    majorFaults: r.majorFaults,
    killed: r.killed,
  };
}

/**
 * The plan of a sweep of `source` over `grid`: a scenario when its name ends
 * in .yaml or .yml (its machine under `settings`; its work checked first,
 * unless `force`), else a trace on the machine `settings` give.
 */
export function planSweep(source: string, grid: Pick<SweepPlan, "axis" | "sizes" | "policies">, settings: MachineSettings, force: boolean): SweepPlan {
  const plan = { source, axis: grid.axis, sizes: grid.sizes, policies: grid.policies };
  if (!/\.ya?ml$/i.test(source)) return { ...plan, kind: "trace", settings: mergeSettings({}, settings) };
  const scenario = loadScenarioFile(source);
  checkSweepWork(scenario, grid.policies, grid.sizes.length, force);
  return { ...plan, kind: "scenario", scenario, settings: mergeSettings(scenario.machine, settings) };
}

/** Every point runs the scenario: `points` per policy, over the work limit in all, an InputError unless `force`. */
export function checkSweepWork(scenario: Scenario, policies: readonly PolicyChoice[], points: number, force: boolean): void {
  for (const policy of policies) {
    const work = estimateScenarioWork(scenario, policy);
    const all = { ...work, accesses: work.accesses * points };
    if (all.accesses > all.limit && !force) {
      throw new InputError(`${points} points under ${policyLabel(policy)}: ${describeWork(all)} in all, more than the ${formatCount(all.limit)} vmm386 runs without --force`, scenario.file);
    }
  }
}
