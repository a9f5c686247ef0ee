/**
 * One point of a sweep: a scenario or a trace run on one machine (a RAM
 * size or a user-frame cap, with one policy), reduced to its fault counts.
 * Jobs and results are plain data so they can cross to worker threads.
 */
import { requirePolicyPlugins } from "../policy-spec.js";
import type { SystemConfig } from "../system.js";
import { replayTrace } from "../trace/replay.js";
import { executeScenario } from "../scenario/scenario-run.js";
import type { Scenario } from "../scenario/types.js";

/** A trace by its path (each point streams it), or the scenario itself: read and validated once by the host, not by every worker. */
type SweepJobInput = { readonly kind: "trace"; readonly file: string } | { readonly kind: "scenario"; readonly scenario: Scenario };
export type SweepJob = SweepJobInput & {
  /** Index of the point in the sweep (results are matched by it). */
  readonly index: number;
  readonly config: SystemConfig;
};

export interface SweepJobResult {
  readonly index: number;
  readonly references: number;
  readonly faults: number;
  readonly majorFaults: number;
  readonly killed: number;
  /** Set when the point could not run (say, a RAM size too small to boot); the sweep reports it. */
  readonly error?: string;
}

/** Runs one sweep point to completion. */
export async function runSweepJob(job: SweepJob): Promise<SweepJobResult> {
  try {
    // In a worker thread a plugin policy is loaded afresh, by its absolute path.
    await requirePolicyPlugins(job.config.policy);
    if (job.kind === "trace") {
      const r = await replayTrace(job.file, { system: job.config });
      return {
        index: job.index,
        references: r.stats.references,
        faults: r.stats.faults.total,
        majorFaults: r.stats.faults.swapIn,
        killed: r.process.status.state === "killed" ? 1 : 0,
      };
    }
    // The job's config is the whole machine: it replaces the scenario's.
    const scenario = { ...job.scenario, machine: {} };
    // The sweep checked its points' work in all before any ran (checkSweepWork): each point is run as given.
    const r = await executeScenario(scenario, job.config, { force: true });
    return {
      index: job.index,
      references: r.stats.references,
      faults: r.stats.faults.total,
      majorFaults: r.stats.faults.swapIn,
      killed: r.processes.filter((p) => p.state === "killed").length,
    };
  } catch (e) {
    return { index: job.index, references: 0, faults: 0, majorFaults: 0, killed: 0, error: e instanceof Error ? e.message : String(e) };
  }
}
