/**
 * Time travel over a run: any move, back or forward, shown exactly as it
 * was. Going forward makes the moves in between; going back starts the run
 * again on a fresh System and makes the moves up to the point (runs are
 * deterministic, stepper.ts), so the state reached is the state the run
 * had there — not a copy kept in JavaScript that could drift from the
 * simulated memory, which stays the one truth.
 *
 * `explore` runs the whole thing once first, to learn its length, where
 * each scenario step ends (to step by step) and every kernel event (the
 * scrubber's marks), then returns to the start.
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

/** Moves made between two progress reports while exploring. */
const EXPLORE_SLICE = 1 << 16;

export class Timeline {
  readonly log = new EventLog();
  private stepper: Stepper;
  private outlined: RunOutline | null = null;

  /** `make` builds the run afresh at move 0 (a new System each time). */
  constructor(private readonly make: () => Stepper) {
    this.stepper = this.fresh();
  }

  /** The stepper at the current position (its System is what views read). */
  get current(): Stepper {
    return this.stepper;
  }

  get position(): number {
    return this.stepper.moves;
  }

  get outline(): RunOutline | null {
    return this.outlined;
  }

  /**
   * Runs the whole run once (calling `onProgress` with moves done now and
   * then), records its outline, and goes back to move 0.
   */
  explore(onProgress?: (moves: number) => void): RunOutline {
    const stepper = this.restart();
    const stepEnds: number[] = [];
    this.log.recordWhole();
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
    const cut = this.log.cut;
    this.outlined = { totalMoves: stepper.moves, stepEnds, events: this.log.takeWhole(), eventsCut: cut };
    this.restart();
    return this.outlined;
  }

  /** Goes to move `target` (clamped to the run); the state there is exact whichever way it was reached. */
  seek(target: number): void {
    const goal = Math.max(0, Math.min(Math.floor(target), this.outlined?.totalMoves ?? Number.MAX_SAFE_INTEGER));
    if (goal < this.stepper.moves) this.restart();
    while (this.stepper.moves < goal && !this.stepper.finished) this.stepper.advance(goal - this.stepper.moves);
  }

  /** Goes to the end of scenario step `step` (0: the start). */
  seekStep(step: number): void {
    const ends = this.outlined?.stepEnds ?? [];
    this.seek(step <= 0 ? 0 : ends[Math.min(step, ends.length) - 1] ?? 0);
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
    this.stepper.close();
  }

  /** Back to move 0 on a fresh System. */
  private restart(): Stepper {
    this.stepper.close();
    this.stepper = this.fresh();
    return this.stepper;
  }

  private fresh(): Stepper {
    const stepper = this.make();
    this.log.clearRecent();
    this.log.attach(stepper);
    return stepper;
  }
}
