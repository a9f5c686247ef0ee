/**
 * Time travel over a run: any move, back or forward, shown exactly as it
 * was. Going forward makes the moves in between; going back starts from an
 * earlier point of the run. Every point is reached by making the run's
 * moves on a real System (runs are deterministic, stepper.ts), so the
 * state there is the state the run had — not a copy kept in JavaScript that
 * could drift from the simulated memory, which stays the one truth.
 *
 * Parked runs instead of snapshots: the timeline keeps up to PARKED runs of
 * the same workload, each standing at some move. A seek takes the run that
 * stands nearest before the target and moves it there; the others stay
 * where they are, so later jumps back find one close by. Only when every
 * run stands past the target does one start again from move 0. After a few
 * jumps the runs are spread over the whole run, and a jump costs about
 * 1/PARKED of it instead of all of it.
 *
 * `explore` runs the whole thing once first, to learn its length, where
 * each scenario step ends (to step by step) and every kernel event (the
 * scrubber's marks).
 */
import { EventLog, type LoggedEvent } from "./event-log.js";
import type { Stepper } from "./stepper.js";

/** What exploring a run learnt. */
export interface RunOutline {
  /** Moves in the whole run. */
  readonly totalMoves: number;
  /** Moves done when each step ended: stepEnds[k-1] is where step k ends (scenarios; empty for traces). */
  readonly stepEnds: readonly number[];
  /** Every kernel event of the run (up to RUN_EVENTS_CAP; `eventsCut` says if some were dropped). */
  readonly events: readonly LoggedEvent[];
  readonly eventsCut: boolean;
}

/** Runs of one workload kept standing at different moves. */
export const PARKED = 6;

/** Moves made between two progress reports while exploring. */
const EXPLORE_SLICE = 1 << 16;

/** A run and its own event log (the recent events are the ones that led to where it stands). */
interface Parked {
  readonly stepper: Stepper;
  readonly log: EventLog;
}

export class Timeline {
  private readonly runs: Parked[] = [];
  private at: Parked;
  private outlined: RunOutline | null = null;

  /** `make` builds the run afresh at move 0 (a new System each time). */
  constructor(private readonly make: () => Stepper) {
    this.at = this.fresh();
    this.runs.push(this.at);
  }

  /** The stepper at the current position (its System is what views read). */
  get current(): Stepper {
    return this.at.stepper;
  }

  /** The kernel events of the run at the current position. */
  get log(): EventLog {
    return this.at.log;
  }

  get position(): number {
    return this.at.stepper.moves;
  }

  get outline(): RunOutline | null {
    return this.outlined;
  }

  /**
   * Runs the whole run once (calling `onProgress` with moves done now and
   * then), records its outline, and stands at move 0.
   */
  explore(onProgress?: (moves: number) => void): RunOutline {
    const run = this.restart(this.at);
    const stepper = run.stepper;
    const stepEnds: number[] = [];
    run.log.recordWhole();
    if (stepper.kind === "scenario") {
      while (!stepper.finished) {
        stepper.finishStep();
        if (stepEnds.length < stepper.steps) stepEnds.push(stepper.moves);
        if (stepEnds.length % 64 === 0) onProgress?.(stepper.moves);
      }
    } else {
      while (!stepper.finished) {
        stepper.advance(EXPLORE_SLICE);
        onProgress?.(stepper.moves);
      }
    }
    const cut = run.log.cut;
    this.outlined = { totalMoves: stepper.moves, stepEnds, events: run.log.takeWhole(), eventsCut: cut };
    // The explored run stays parked at the end; the timeline stands at 0.
    this.at = this.fresh();
    this.runs.push(this.at);
    return this.outlined;
  }

  /**
   * Parks the runs not yet used at even fractions of the explored run, so
   * the first jumps cost a fraction of it too, as later ones do once the
   * runs have spread by themselves. It costs about (PARKED - 2) / 2 passes
   * more: worth it where a run is short and jumped about, as a scenario is.
   */
  spread(): void {
    const total = this.outlined?.totalMoves;
    if (total === undefined) return;
    while (this.runs.length < PARKED) this.runs.push(this.fresh());
    const idle = this.runs.filter((r) => r !== this.at && r.stepper.moves === 0);
    idle.forEach((r, i) => advanceTo(r.stepper, Math.floor((total * (i + 1)) / (idle.length + 1))));
  }

  /** Goes to move `target` (clamped to the run); the state there is exact whichever way it was reached. */
  seek(target: number): void {
    const goal = Math.max(0, Math.min(Math.floor(target), this.outlined?.totalMoves ?? Number.MAX_SAFE_INTEGER));
    this.at = this.runFor(goal);
    advanceTo(this.at.stepper, goal);
  }

  /** Makes the current run's next move (not another run's that may stand there): what happens in it is in `log`. */
  stepCurrent(): void {
    if (!this.at.stepper.finished) this.at.stepper.advance(1);
  }

  /** Goes to the end of scenario step `step` (0: the start). */
  seekStep(step: number): void {
    const ends = this.outlined?.stepEnds ?? [];
    this.seek(step <= 0 ? 0 : (ends[Math.min(step, ends.length) - 1] ?? 0));
  }

  /** Steps completed at move `moves` (how many step ends are at or before it). */
  stepAt(moves: number): number {
    const ends = this.outlined?.stepEnds ?? [];
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] <= moves) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  close(): void {
    for (const r of this.runs) r.stepper.close();
    this.runs.length = 0;
  }

  /**
   * The run to move to `goal`: the one standing nearest at or before it; if
   * every run stands past it, a new one at move 0 (or, with PARKED runs
   * already, the one standing furthest along, started again).
   */
  private runFor(goal: number): Parked {
    let best: Parked | null = null;
    for (const r of this.runs) if (r.stepper.moves <= goal && (best === null || r.stepper.moves > best.stepper.moves)) best = r;
    if (best !== null) return best;
    if (this.runs.length < PARKED) {
      const run = this.fresh();
      this.runs.push(run);
      return run;
    }
    const furthest = this.runs.reduce((a, b) => (b.stepper.moves > a.stepper.moves ? b : a));
    return this.restart(furthest);
  }

  /** `run` started again from move 0 on a fresh System, in its place. */
  private restart(run: Parked): Parked {
    run.stepper.close();
    const again = this.fresh();
    const i = this.runs.indexOf(run);
    if (i >= 0) this.runs[i] = again;
    return again;
  }

  private fresh(): Parked {
    const log = new EventLog();
    const stepper = this.make();
    log.attach(stepper);
    return { stepper, log };
  }
}

/** Makes `stepper`'s moves up to move `goal` (or its end). */
function advanceTo(stepper: Stepper, goal: number): void {
  while (stepper.moves < goal && !stepper.finished) stepper.advance(goal - stepper.moves);
}
