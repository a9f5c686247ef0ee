/**
 * The messages between the page and its Web Worker. The worker owns every
 * System (the real machine and kernel); the page only asks and renders what
 * it is given: state flows one way, from the worker's runs to the views.
 */
import type { PolicyName } from "../kernel/replacement/index.js";
import type { Sample } from "../sim/recorder.js";
import type { SystemView } from "../sim/timeline/view.js";
import type { MoveOutcome } from "../sim/timeline/quiz.js";
import type { MrcResult } from "../sim/mrc/curve.js";
import type { TableChoices } from "./table-choice.js";

/** What to run: a scenario's YAML, an uploaded trace, a typed reference string, or a preset. */
export type RunSource =
  | { readonly kind: "scenario"; readonly file: string; readonly text: string }
  | { readonly kind: "trace"; readonly name: string; readonly bytes: ArrayBuffer }
  /** Page numbers separated by commas or blanks ("1,2,3,4,1,2,5"), replayed as a reference-string trace. */
  | { readonly kind: "refs"; readonly text: string }
  | { readonly kind: "preset"; readonly name: PresetName };

export type PresetName = "belady";

/** A run and the policies it is compared under (one lane each). */
export interface RunRequest {
  readonly source: RunSource;
  /** Lane i runs policies[i] (past its end: the source's own); the first lane is the one the detailed views show. */
  readonly policies: readonly PolicyName[];
  /** Frames lane i may hold (user pages); absent: the source's own. As many lanes as the longer list, one at least, four at most. */
  readonly frames?: readonly number[];
  readonly seed?: number;
}

/** A problem with the user's input, in the command line's words: `where` is `file:line: key` or `file`. */
export interface InputProblem {
  readonly message: string;
  /** The 1-based line it names, when it names one. */
  readonly line: number | null;
}

export type Request =
  | { readonly type: "load"; readonly run: RunRequest }
  | { readonly type: "check"; readonly file: string; readonly text: string }
  | { readonly type: "seek"; readonly to: number; readonly unit: "move" | "step" }
  | { readonly type: "predict" }
  /** The student opened or closed a process's page tables: the state again, with the tables now shown. */
  | { readonly type: "tables"; readonly choices: TableChoices }
  | { readonly type: "mrc" };

/** One run's outline, per lane. */
export interface LaneOutline {
  readonly policy: string;
  readonly label: string;
  readonly totalMoves: number;
  /** Moves of the run's faults (scrubber marks), at most a few thousand. */
  readonly faultMarks: readonly number[];
}

export interface Loaded {
  readonly title: string;
  readonly kind: "scenario" | "trace" | "preset";
  readonly totalMoves: number;
  readonly totalSteps: number;
  readonly lanes: readonly LaneOutline[];
  /** What a move is in this run: "access", or "access or step". */
  readonly machine: Readonly<Record<string, string | number | boolean>>;
}

/** One lane at the current move. */
export interface LaneState {
  readonly policy: string;
  readonly label: string;
  readonly moves: number;
  readonly finished: boolean;
  readonly faults: number;
  readonly evictions: number;
  /** Samples of the run's charts up to this move. */
  readonly series: readonly Sample[];
}

export interface PlaygroundState {
  readonly position: number;
  readonly totalMoves: number;
  readonly step: number;
  readonly totalSteps: number;
  /** inspect's words for the point: "after N turns", "at the end". */
  readonly where: string;
  readonly midStep: boolean;
  readonly lanes: readonly LaneState[];
  /** The detailed views of the first lane (page-table entries only of the processes whose tables are shown, table-choice.ts). */
  readonly view: SystemView;
  /** `vmm386 inspect --step … --json` at this point (scenarios at a step boundary), else null. */
  readonly inspect: unknown;
}

/**
 * A lane's chart samples as the worker sends them: the first `keep` of the
 * samples it sent last, then `more`. A jump seldom changes more than the
 * last few (most of them stand before both points), so most of the series
 * is not sent again.
 */
export interface SeriesPatch {
  readonly keep: number;
  readonly more: readonly Sample[];
}

/** A state as the worker sends it: each lane's samples as a patch of those sent before (WorkerClient applies them). */
export type SentState = Omit<PlaygroundState, "lanes"> & { readonly lanes: readonly (Omit<LaneState, "series"> & { readonly series: SeriesPatch })[] };

/** A reply; `S` is the state as sent (SentState) or as the page holds it (PlaygroundState). */
export type Reply<S = PlaygroundState> =
  | { readonly type: "loaded"; readonly loaded: Loaded; readonly state: S }
  | { readonly type: "checked"; readonly problem: InputProblem | null }
  | { readonly type: "state"; readonly state: S; readonly timing?: { readonly seekMs: number; readonly viewMs: number } }
  | { readonly type: "predicted"; readonly outcome: MoveOutcome; readonly state: S }
  | { readonly type: "mrc"; readonly result: MrcResult }
  | { readonly type: "problem"; readonly problem: InputProblem }
  /** A seek dropped because a newer one was asked for before it ran. */
  | { readonly type: "superseded" };

/** Page -> worker. */
export interface RequestMessage {
  readonly id: number;
  readonly request: Request;
}

/** Worker -> page: the reply to request `id`, or progress of it. */
export type WorkerMessage =
  | { readonly id: number; readonly reply: Reply<SentState> }
  | { readonly id: number; readonly progress: { readonly what: string; readonly done: number; readonly total: number } };
