/**
 * One point of a sweep: a scenario or a trace run on one machine (a RAM
 * size or a user-frame cap, with one policy), reduced to its fault counts.
 * Jobs and results are plain data so they can cross to worker threads.
 */
import { loadPolicyPlugins } from "../policy-plugin.js";
import { System, type SystemConfig } from "../system.js";
import { replayTrace } from "../trace/replay.js";
import { loadScenarioFile } from "./loader.js";
import { scenarioFuture } from "./opt-future.js";
import { runScenario } from "./runner.js";

export interface SweepJob {
  /** Index of the point in the sweep (results are matched by it). */
  readonly index: number;
  readonly kind: "scenario" | "trace";
  readonly file: string;
  readonly config: SystemConfig;
}

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
    const problem = await loadPolicyPlugins(job.config.policy);
    if (problem !== null) throw new Error(problem);
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
    const scenario = loadScenarioFile(job.file);
    const future = scenarioFuture(scenario, job.config, (config) => System.create(config));
    const system = System.create({ ...job.config, future });
    try {
      const r = runScenario(system, scenario, { references: future });
      return {
        index: job.index,
        references: r.stats.references,
        faults: r.stats.faults.total,
        majorFaults: r.stats.faults.swapIn,
        killed: r.processes.filter((p) => p.state === "killed").length,
      };
    } finally {
      system.close();
    }
  } catch (e) {
    return { index: job.index, references: 0, faults: 0, majorFaults: 0, killed: 0, error: e instanceof Error ? e.message : String(e) };
  }
}
