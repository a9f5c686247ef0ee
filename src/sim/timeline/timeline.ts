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
 * run stands past the target does one start again from move 0.
 *
 * `explore` runs the whole thing once first, to learn its length, where
 * each scenario step ends (to step by step) and every kernel event (the
 * scrubber's marks).
 *
 * Anchors: `settle`, called in slices while the page stands still, moves
 * the idle runs to anchors evenly spaced over the run (the run shown stays
 * where it is), so that whatever jumps came before, a jump makes at most
 * 1/parked of the run's moves. A parked run is a whole System: about 9.5 MB
 * (its machine's fixed arrays) plus the RAM and swap it has touched.
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

/** Runs of one workload kept standing at different moves, unless the timeline is told otherwise. */
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

  /** `make` builds the run afresh at move 0 (a new System each time); `parked`: runs kept at most, 2 or more. */
  constructor(
    private readonly make: () => Stepper,
    private readonly parked = PARKED,
  ) {
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

  /**
   * One slice of idle work: moves an idle run up to `budget` moves towards an anchor no run stands at (the
   * anchors are the moves total * k / parked, 0 < k < parked, MIN_ANCHOR_MOVES apart at least). False when every
   * anchor has its run (or before explore). Exactness is untouched: runs only make their moves.
   */
  settle(budget: number): boolean {
    const total = this.outlined?.totalMoves;
    if (total === undefined) return false;
    const anchors = anchorsOf(total, this.parked);
    const free = this.runs.filter((r) => r !== this.at);
    const bare = anchors.filter((a) => !claim(free, a));
    if (bare.length === 0) return false;
    const [run, goal] = this.mover(free, bare);
    advanceTo(run.stepper, Math.min(goal, run.stepper.moves + budget));
    return true;
  }

  /** The run to send to one of the `bare` anchors, and that anchor: the free run standing nearest before one; else a new run, or a free one started again. */
  private mover(free: readonly Parked[], bare: readonly number[]): [Parked, number] {
    let best: [Parked, number] | null = null;
    for (const r of free) {
      const goal = bare.find((a) => a >= r.stepper.moves);
      if (goal !== undefined && (best === null || goal - r.stepper.moves < best[1] - best[0].stepper.moves)) best = [r, goal];
    }
    if (best !== null) return best;
    if (this.runs.length < this.parked || free.length === 0) {
      const run = this.fresh();
      this.runs.push(run);
      return [run, bare[0]];
    }
    return [this.restart(free[0]), bare[0]];
  }

  close(): void {
    for (const r of this.runs) r.stepper.close();
    this.runs.length = 0;
  }

  /**
   * The run to move to `goal`: the one standing nearest at or before it; if
   * every run stands past it, a new one at move 0 (or, with `parked` runs
   * already, the one standing furthest along, started again).
   */
  private runFor(goal: number): Parked {
    let best: Parked | null = null;
    for (const r of this.runs) if (r.stepper.moves <= goal && (best === null || r.stepper.moves > best.stepper.moves)) best = r;
    if (best !== null) return best;
    if (this.runs.length < this.parked) {
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

/** Moves a run remade from the nearest anchor costs little below this (well under a millisecond): anchors stand this far apart at least. */
export const MIN_ANCHOR_MOVES = 1024;

/** The anchors of a run of `total` moves with `parked` runs: 1/parked of it apart, MIN_ANCHOR_MOVES at least (a short run has few or none). */
function anchorsOf(total: number, parked: number): number[] {
  const gap = Math.max(total / parked, MIN_ANCHOR_MOVES);
  const out: number[] = [];
  for (let k = 1; k < parked && Math.floor(k * gap) < total; k++) out.push(Math.floor(k * gap));
  return out;
}

/** Takes the first of `free` standing at `anchor` out of `free` (it stays there); whether there was one. */
function claim(free: Parked[], anchor: number): boolean {
  const i = free.findIndex((r) => r.stepper.moves === anchor);
  if (i >= 0) free.splice(i, 1);
  return i >= 0;
}

/** Makes `stepper`'s moves up to move `goal` (or its end). */
function advanceTo(stepper: Stepper, goal: number): void {
  while (stepper.moves < goal && !stepper.finished) stepper.advance(goal - stepper.moves);
}
