/**
 * What the time-travel engine drives: a run made move by move on a fresh
 * System. A move is the smallest thing a student can watch happen: one
 * access of a touch step (or of a trace), or one whole other step (brk,
 * fork, exit, copyOut...). Runs are deterministic — the machine, the
 * kernel, the workload patterns and the TLB's pseudo-random replacement are
 * all seeded — so a stepper made again by the same factory and advanced the
 * same number of moves is in exactly the same state, however its moves
 * were cut up. That is what makes going back in time exact.
 */
import type { ScenarioRunner } from "../scenario/runner.js";
import type { System } from "../system.js";
import type { MoveAccess } from "./quiz.js";

export interface Stepper {
  /** A scenario's moves group into steps; a trace's do not (each access is a step). */
  readonly kind: "scenario" | "trace";
  readonly system: System;
  /** Moves made so far. */
  readonly moves: number;
  /** Steps completed: a scenario's turns; a trace's accesses. */
  readonly steps: number;
  /** Nothing more will happen (the run ended, or the kernel panicked). */
  readonly finished: boolean;
  /** The move under way (1-based), to stamp what the kernel tells meanwhile. */
  readonly currentMove: number;
  /** Makes up to `budget` moves; the moves made (fewer only at the end). */
  advance(budget: number): number;
  /** The access move `move` made, if it was the last move made and an access; else null. */
  lastAccessIn(move: number): MoveAccess | null;
  /** Completes the step under way, or makes the next one; the moves made. */
  finishStep(): number;
  /** Releases the System (its swap disk). */
  close(): void;
}

/** A scenario ready to step: its System and runner (scenario-run.ts's session). */
export interface SteppableScenario {
  readonly system: System;
  readonly runner: ScenarioRunner;
  close(): void;
}

/** A scenario run as a Stepper: moves are the runner's. */
export class ScenarioStepper implements Stepper {
  readonly kind = "scenario";

  constructor(private readonly session: SteppableScenario) {}

  get system(): System {
    return this.session.system;
  }

  get runner(): ScenarioRunner {
    return this.session.runner;
  }

  get moves(): number {
    return this.session.runner.moves;
  }

  get steps(): number {
    return this.session.runner.turns;
  }

  get finished(): boolean {
    return this.session.runner.finished && !this.session.runner.midStep;
  }

  get currentMove(): number {
    return this.session.runner.currentMove;
  }

  advance(budget: number): number {
    return this.session.runner.runMoves(budget);
  }

  lastAccessIn(move: number): MoveAccess | null {
    const runner = this.session.runner;
    // The runner remembers the last access of a touch; it was this move's only if the move was a touch's.
    return move === runner.moves && runner.lastAccessMove === move ? runner.lastAccess : null;
  }

  finishStep(): number {
    const runner = this.session.runner;
    const before = runner.moves;
    const turns = runner.turns;
    while (!this.finished && runner.turns === turns) runner.turn();
    return runner.moves - before;
  }

  close(): void {
    this.session.close();
  }
}
