/**
 * Policies side by side: the same run under two to four replacement
 * policies, one timeline each, always at the same move. A run that ends
 * sooner under one policy (a process killed earlier) waits at its end.
 */
import type { RunOutline } from "./timeline.js";
import type { Timeline } from "./timeline.js";

/** Lanes a comparison may hold. */
export const MAX_LANES = 4;

export class Lockstep {
  readonly lanes: readonly Timeline[];
  private at = 0;

  constructor(lanes: readonly Timeline[]) {
    if (lanes.length < 1 || lanes.length > MAX_LANES) throw new RangeError(`a comparison holds 1 to ${MAX_LANES} runs, not ${lanes.length}`);
    this.lanes = lanes;
  }

  /** Explores every lane (see Timeline.explore); `onProgress` hears lane index and moves. */
  explore(onProgress?: (lane: number, moves: number) => void): RunOutline[] {
    return this.lanes.map((t, i) => t.explore(onProgress === undefined ? undefined : (m) => onProgress(i, m)));
  }

  /** One slice of idle work in the first lane that has some (see Timeline.settle); false when none has. */
  settle(budget: number): boolean {
    return this.lanes.some((t) => t.settle(budget));
  }

  /** The longest lane's moves: the scrubber's length. */
  get totalMoves(): number {
    return Math.max(...this.lanes.map((t) => t.outline?.totalMoves ?? 0));
  }

  /** The move every lane is at (or at its end, if shorter). */
  get position(): number {
    return this.at;
  }

  /** Every lane to move `target`. */
  seek(target: number): void {
    this.at = Math.max(0, Math.min(Math.floor(target), this.totalMoves));
    for (const t of this.lanes) t.seek(this.at);
  }

  close(): void {
    for (const t of this.lanes) t.close();
  }
}
