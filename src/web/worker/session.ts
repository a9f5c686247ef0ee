/**
 * One loaded run in the worker: its lanes (a timeline per policy, in
 * lockstep), what exploring them learnt, and the state the page is shown
 * at the current move. Errors in the user's input come out as the command
 * line words them (ScenarioError and the like); nothing else is caught here.
 */
import { DEFAULT_POLICY, type PolicyName } from "../../kernel/replacement/index.js";
import { policyLabel, type PolicyChoice } from "../../sim/policy-spec.js";
import { parseScenario } from "../../sim/scenario/parse.js";
import { ScenarioError, type Scenario } from "../../sim/scenario/types.js";
import { checkScenarioWork, formatCount } from "../../sim/scenario/work-estimate.js";
import { Lockstep } from "../../sim/timeline/lockstep.js";
import { scenarioConfig, scenarioTimeline } from "../../sim/timeline/scenario-timeline.js";
import type { Timeline } from "../../sim/timeline/timeline.js";
import { systemView, type SystemView } from "../../sim/timeline/view.js";
import { playNextMove, type MoveOutcome } from "../../sim/timeline/quiz.js";
import { ScenarioStepper } from "../../sim/timeline/stepper.js";
import { loadTrace, traceMissRatioCurves, traceTimeline, type LoadedTrace } from "../../sim/timeline/trace-timeline.js";
import type { ScenarioRunner } from "../../sim/scenario/runner.js";
import type { LaneState, Loaded, PlaygroundState, RunRequest } from "../protocol.js";
import { tablesOpen, type TableChoices } from "../table-choice.js";
import { PRESETS } from "./presets.js";
import { scenarioMissRatioCurves } from "../../sim/timeline/run-mrc.js";
import type { MrcResult } from "../../sim/mrc/curve.js";
import { describeMachine, systemConfig } from "../../sim/machine-settings.js";
import type { SystemConfig } from "../../sim/system.js";
import { INSPECT_VIEWS, allProcesses, inspectState, inspectWhere } from "../../report/inspect-state.js";

/** Fault marks sent for the scrubber at most (evenly thinned past it). */
const MAX_MARKS = 4000;
/**
 * Runs a scenario's lane keeps parked (Timeline): a jump makes a tenth of the run at most once they stand at their
 * anchors. Each is a System, about 10 MB for the demo (9.5 MB of the machine's fixed arrays, the rest what the run
 * touched): about 100 MB a lane. Denser anchors cost memory in proportion; a tenth of the demo is a few ms.
 */
const SCENARIO_RUNS = 10;
/** Fault-log lines sent with a state. */
const LOG_LINES = 60;

/** Hears what a long piece of work does: `done` of `total` (0: not known in advance). */
export type Progress = (what: string, done: number, total?: number) => void;

interface Lane {
  readonly policy: string;
  readonly label: string;
  readonly config: SystemConfig;
  readonly timeline: Timeline;
}

/** What a session runs. */
type Workload = { readonly kind: "scenario"; readonly scenario: Scenario } | { readonly kind: "trace"; readonly trace: LoadedTrace };

export class Session {
  /** The point state() built last, every process's tables in it. */
  private last: PlaygroundState | null = null;

  private constructor(
    readonly title: string,
    readonly kind: Loaded["kind"],
    private readonly workload: Workload,
    private readonly lanes: readonly Lane[],
    private readonly lockstep: Lockstep,
    private readonly machine: Loaded["machine"],
  ) {}

  /** Parses and explores what `run` names; `onProgress` hears moves explored. */
  static async open(run: RunRequest, onProgress: (done: number) => void): Promise<Session> {
    const source = run.source;
    if (source.kind === "trace" || source.kind === "refs") throw new Error("a trace is opened by Session.openTrace");
    const preset = source.kind === "preset" ? PRESETS[source.name] : null;
    const scenario = source.kind === "preset" ? parseScenario(PRESETS[source.name].text, PRESETS[source.name].file) : parseScenario(source.text, source.file);
    const wanted = preset !== null ? preset.lanes : askedLanes(run);
    refuseLargeRun(scenario, wanted.map((w) => scenarioConfig(scenario, w.policy === undefined ? {} : { policy: w.policy }).policy));
    const lanes: Lane[] = [];
    for (const w of wanted) {
      const settings = { ...(w.policy === undefined ? {} : { policy: w.policy }), ...(w.frames === undefined ? {} : { userFrames: w.frames }), ...(run.seed === undefined ? {} : { seed: run.seed }) };
      const timeline = await scenarioTimeline(scenario, settings, SCENARIO_RUNS);
      const config = scenarioConfig(scenario, settings);
      const policy = config.policy === undefined ? DEFAULT_POLICY : policyLabel(config.policy);
      lanes.push({ policy, label: laneLabel(policy, w.frames), config, timeline });
    }
    const lockstep = new Lockstep(lanes.map((l) => l.timeline));
    lockstep.explore((_lane, moves) => onProgress(moves));
    // A scenario is short and jumped about: its parked runs go to their anchors now, so that even the first jumps
    // make a tenth of it at most (about (SCENARIO_RUNS - 1) / 2 passes more; a trace's replay is long, and is not).
    while (lockstep.settle(Number.MAX_SAFE_INTEGER));
    lockstep.seek(0);
    const machine = describeMachine(lanes[0].config);
    return new Session(preset?.title ?? scenario.name, source.kind === "preset" ? "preset" : "scenario", { kind: "scenario", scenario }, lanes, lockstep, machine);
  }

  /** Reads the trace `name` (in memory) and explores it under each policy asked for; `onProgress` hears what it does, and of how much when known. */
  static async openTrace(name: string, run: RunRequest, onProgress: Progress): Promise<Session> {
    const trace = await loadTrace(name, (accesses) => onProgress("reading", accesses));
    const lanes = askedLanes(run).map(({ policy, frames }): Lane => {
      const config = systemConfig({ ...(policy === undefined ? {} : { policy }), ...(frames === undefined ? {} : { userFrames: frames }), ...(run.seed === undefined ? {} : { seed: run.seed }) });
      const name = config.policy === undefined ? DEFAULT_POLICY : policyLabel(config.policy);
      return { policy: name, label: laneLabel(name, frames), config, timeline: traceTimeline(trace, config) };
    });
    const lockstep = new Lockstep(lanes.map((l) => l.timeline));
    lockstep.explore((lane, moves) => onProgress(lanes.length > 1 ? `replaying under ${lanes[lane].label} (${lane + 1} of ${lanes.length})` : "replaying", moves, trace.accesses));
    lockstep.seek(0);
    return new Session(`${name} (${trace.format}, ${trace.accesses.toLocaleString("en-US")} accesses)`, "trace", { kind: "trace", trace }, lanes, lockstep, describeMachine(lanes[0].config));
  }

  /**
   * One slice of idle work, `budget` moves at most: a scenario's parked runs go back to their anchors
   * (Timeline.settle) after jumps took them away. A trace's replay is long, and is not made again for that.
   * False when there is nothing left to do.
   */
  settle(budget: number): boolean {
    return this.workload.kind === "scenario" && this.lockstep.settle(budget);
  }

  /** What the page needs to lay out the run. */
  loaded(): Loaded {
    const first = this.lanes[0].timeline;
    return {
      title: this.title,
      kind: this.kind,
      totalMoves: this.lockstep.totalMoves,
      totalSteps: first.outline?.stepEnds.length ?? 0,
      machine: this.machine,
      lanes: this.lanes.map((l) => ({
        policy: l.policy,
        label: l.label,
        totalMoves: l.timeline.outline?.totalMoves ?? 0,
        faultMarks: faultMarks(l.timeline),
      })),
    };
  }

  /** Every lane to `to`, counted in moves or in scenario steps (the first lane's). */
  seek(to: number, unit: "move" | "step"): void {
    if (unit === "step") {
      this.lanes[0].timeline.seekStep(to);
      this.lockstep.seek(this.lanes[0].timeline.position);
    } else {
      this.lockstep.seek(to);
    }
  }

  /** Makes the next move in every lane; the first lane's outcome (shown once the student answered). */
  predict(): MoveOutcome | null {
    const at = this.lockstep.position;
    const outcome = playNextMove(this.lanes[0].timeline);
    this.lockstep.seek(outcome === null ? at : at + 1);
    return outcome;
  }

  /** The point shown: the page tables of the processes `tables` says are shown (table-choice.ts), the rest whole. */
  state(tables: TableChoices = {}): PlaygroundState {
    this.last = this.stateWhole();
    return this.shown(tables);
  }

  /**
   * The point last built by state() again, with the tables `tables` says. Not built afresh: inspect's object
   * (at a step boundary) switches to a process never scheduled to learn its page directory, which changes CR3.
   */
  shown(tables: TableChoices): PlaygroundState {
    const last = this.last ?? this.stateWhole();
    return { ...last, view: shownTables(last.view, tables) };
  }

  /** The point now, with every process's page tables. */
  private stateWhole(): PlaygroundState {
    const first = this.lanes[0].timeline;
    const position = this.lockstep.position;
    const stepper = first.current;
    const runner = stepper instanceof ScenarioStepper ? stepper.runner : null;
    const names = runner?.names ?? new Map(stepper.system.processList().map((p) => [p.pid, this.workloadName()]));
    return {
      position,
      totalMoves: this.lockstep.totalMoves,
      step: first.stepAt(position),
      totalSteps: first.outline?.stepEnds.length ?? 0,
      where: runner !== null ? inspectWhere(runner) : stepper.finished ? "at the end" : `after ${position.toLocaleString("en-US")} accesses`,
      midStep: runner?.midStep ?? false,
      lanes: this.lanes.map(laneState),
      view: systemView(stepper.system, names, first.log.recent(position, LOG_LINES)),
      inspect: this.inspectAt(runner),
    };
  }

  /** inspect's object at a scenario's step boundary, else null (reading it changes nothing in the run). */
  private inspectAt(runner: ScenarioRunner | null): unknown {
    if (runner === null || runner.midStep || this.workload.kind !== "scenario") return null;
    return inspectState(this.workload.scenario.file, inspectWhere(runner), describeMachine(this.lanes[0].config), runner, allProcesses(runner), INSPECT_VIEWS);
  }

  private workloadName(): string {
    return this.workload.kind === "trace" ? this.workload.trace.name : this.workload.scenario.name;
  }

  /** The run's LRU and OPT miss-ratio curves (a scenario's on the first lane's machine). */
  missRatioCurves(): MrcResult {
    return this.workload.kind === "trace" ? traceMissRatioCurves(this.workload.trace) : scenarioMissRatioCurves(this.workload.scenario, this.lanes[0].config);
  }

  close(): void {
    this.lockstep.close();
  }
}

/** The lanes `run` asks for: policy i under frames i, either absent past its list's end (the source's own); one lane at least. */
function askedLanes(run: RunRequest): { policy: PolicyName | undefined; frames: number | undefined }[] {
  const n = Math.max(1, run.policies.length, run.frames?.length ?? 0);
  return Array.from({ length: n }, (_, i) => ({ policy: run.policies[i], frames: run.frames?.[i] }));
}

function laneLabel(policy: string, frames: number | undefined): string {
  return frames === undefined ? policy : `${policy}, ${frames} frames`;
}

function laneState(lane: Lane): LaneState {
  const stepper = lane.timeline.current;
  const stats = stepper.system.stats();
  return {
    policy: lane.policy,
    label: lane.label,
    moves: stepper.moves,
    finished: stepper.finished,
    faults: stats.faults.total,
    evictions: stats.vmstat.pgsteal_direct + stats.vmstat.pgsteal_proactive,
    series: stepper instanceof ScenarioStepper ? stepper.runner.recorder.series.samples : [],
  };
}

/** `view` with the page-table entries of the processes whose tables are not shown left out (half of a jump's message was theirs). */
function shownTables(view: SystemView, tables: TableChoices): SystemView {
  const count = view.processes.length;
  return { ...view, processes: view.processes.map((p) => (tablesOpen(p, count, tables) || p.pdes.length === 0 ? p : { ...p, pdes: [] })) };
}

/** The moves of the run's faults, thinned to MAX_MARKS. */
function faultMarks(timeline: Timeline): number[] {
  const moves = (timeline.outline?.events ?? []).filter((l) => l.event.type === "fault").map((l) => l.move);
  if (moves.length <= MAX_MARKS) return moves;
  const every = moves.length / MAX_MARKS;
  return Array.from({ length: MAX_MARKS }, (_, i) => moves[Math.floor(i * every)]);
}

/**
 * Accesses a page explores at most: it runs the whole run once before
 * showing it, and again to go back, in the page's own worker. The command
 * line's limits (work-estimate.ts) come first, in its words.
 */
export const MAX_PLAYGROUND_ACCESSES = 20_000_000;

/** Refuses a scenario too large to explore, as the command line refuses one past its limit. */
function refuseLargeRun(scenario: Scenario, policies: readonly (PolicyChoice | undefined)[]): void {
  for (const policy of policies) {
    const work = checkScenarioWork(scenario, policy, false);
    if (work.accesses > MAX_PLAYGROUND_ACCESSES) {
      throw new ScenarioError(
        scenario.file,
        `about ${formatCount(work.accesses)} accesses, more than the ${formatCount(MAX_PLAYGROUND_ACCESSES)} the playground explores; run it with vmm386 run, or shrink its repeat, loops and count`,
      );
    }
  }
}
