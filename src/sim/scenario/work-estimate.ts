/**
 * How much work a scenario asks for, known before it runs: a few lines of
 * YAML with nested `repeat` and `loops` can ask for 10^14 accesses (years),
 * and OPT records every page reference in memory before its run. The
 * estimate counts the accesses of every touch step (patterns say exactly
 * how many they make), times the runs the policy needs, and the steps
 * (turns) the processes take, each forked copy of a process counted; above
 * a documented limit the run is refused unless the user insists (--force).
 */
import { choiceNeedsFuture, type PolicyChoice } from "../policy-spec.js";
import { plannedWork } from "./program.js";
import { ScenarioError, type Scenario } from "./types.js";

/**
 * Accesses a run may make without --force: 10^10, some minutes at the tens
 * of millions of accesses a second a scenario runs at.
 */
export const MAX_ACCESSES = 10_000_000_000;

/**
 * Accesses a scenario under OPT may make without --force: 5·10^7. OPT first
 * records the run's page references (about 12 bytes each, in memory, for
 * the recording and the search's own runs), so its bound is memory, 600 MB.
 */
export const MAX_OPT_ACCESSES = 50_000_000;

/**
 * Steps (turns) a run may take without --force: 10^9, a few minutes at the
 * millions of turns a second a scenario of yields runs at; a repeat of
 * 10^9 is allowed, two nested ones are not.
 */
export const MAX_STEPS = 1_000_000_000;

/** Runs an OPT scenario may take at most: the recording under LRU and up to six OPT runs (opt-future.ts). */
const OPT_RUNS_AT_MOST = 7;

/** Estimates above this many accesses are worth telling the user before the run starts (a few seconds of work). */
export const ANNOUNCE_ACCESSES = 100_000_000;

export interface WorkEstimate {
  /** Accesses one run of the scenario makes if no process dies early. */
  readonly accesses: number;
  /** Steps its processes take in one run. */
  readonly steps: number;
  /** Runs the policy needs (OPT records its future first): at most this many. */
  readonly runs: number;
  /** The most accesses allowed without --force for this policy. */
  readonly limit: number;
}

/** The work of running `scenario` under `policy`. */
export function estimateScenarioWork(scenario: Scenario, policy: PolicyChoice | undefined): WorkEstimate {
  const opt = policy !== undefined && choiceNeedsFuture(policy);
  const work = plannedWork(scenario);
  return { accesses: work.accesses, steps: work.steps, runs: opt ? OPT_RUNS_AT_MOST : 1, limit: opt ? MAX_OPT_ACCESSES : MAX_ACCESSES };
}

/**
 * The estimate of running `scenario` under `policy`; throws ScenarioError
 * naming the file when it is over the limit and `force` is not given.
 */
export function checkScenarioWork(scenario: Scenario, policy: PolicyChoice | undefined, force: boolean): WorkEstimate {
  const work = estimateScenarioWork(scenario, policy);
  if (work.steps > MAX_STEPS && !force) {
    throw new ScenarioError(
      scenario.file,
      `about ${formatCount(work.steps)} steps and ${formatCount(work.accesses)} accesses, more than the ${formatCount(MAX_STEPS)} steps that vmm386 runs without being told to; pass --force to run it anyway, or shrink its repeat counts and forks`,
    );
  }
  if (work.accesses > work.limit && !force) {
    const why = work.limit === MAX_OPT_ACCESSES ? "that policy opt records in memory first" : "that vmm386 runs without being told to";
    throw new ScenarioError(
      scenario.file,
      `about ${formatCount(work.accesses)} accesses, more than the ${formatCount(work.limit)} ${why}; pass --force to run it anyway, or shrink its repeat, loops and count`,
    );
  }
  return work;
}

/** The estimate in a line: "about 2.4·10^9 accesses" (and the runs, if more than one). */
export function describeWork(work: WorkEstimate): string {
  const runs = work.runs > 1 ? ` in each of up to ${work.runs} runs (policy opt records its future first)` : "";
  return `about ${formatCount(work.accesses)} accesses${runs}`;
}

/** A count people read at a glance: 12,345 below a million, else 2.4 million, 115 million, 6.5·10^14. */
export function formatCount(n: number): string {
  if (n < 1e6) return n.toLocaleString("en-US");
  if (n < 1e9) return `${leading(n / 1e6)} million`;
  if (n < 1e12) return `${leading(n / 1e9)} billion`;
  const exponent = Math.floor(Math.log10(n));
  return `${(n / 10 ** exponent).toFixed(1)}·10^${exponent}`;
}

/** 2.4, 24, 115: one decimal below ten, whole numbers above. */
function leading(v: number): string {
  return v < 10 ? v.toFixed(1).replace(/\.0$/, "") : String(Math.round(v));
}
