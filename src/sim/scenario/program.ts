/**
 * A process's program: its steps, with `repeat` blocks kept as blocks. At
 * run time a StepCursor hands out one step at a time from a stack of the
 * blocks it is inside (each with its place and the rounds left), so a
 * process costs the depth of its nesting whatever its counts say; before
 * the run, plannedWork counts what every step will do, forks included: a
 * child's steps run once for each fork that creates it.
 */
import { patternAccessCount } from "../workload/patterns.js";
import type { Block, Scenario, Step } from "./types.js";

interface Frame {
  readonly steps: readonly Block[];
  index: number;
  roundsLeft: number;
}

/** Walks a step list one step at a time, each repeat block as many times as it says. */
export class StepCursor {
  private readonly frames: Frame[];
  /** The step to run next, or null once all have run. */
  next: Step | null;

  constructor(steps: readonly Block[]) {
    this.frames = [{ steps, index: 0, roundsLeft: 1 }];
    this.next = this.advance();
  }

  /** The next step, moving past it; null at the end. */
  take(): Step | null {
    const step = this.next;
    if (step !== null) this.next = this.advance();
    return step;
  }

  private advance(): Step | null {
    const frames = this.frames;
    while (frames.length > 0) {
      const top = frames[frames.length - 1];
      if (top.index === top.steps.length) {
        if (--top.roundsLeft > 0) top.index = 0;
        else frames.pop();
        continue;
      }
      const block = top.steps[top.index++];
      if (block.kind !== "repeat") return block;
      // An empty block would spin through its rounds for nothing (the schema refuses one; a program may not).
      if (block.times > 0 && block.steps.length > 0) frames.push({ steps: block.steps, index: 0, roundsLeft: block.times });
    }
    return null;
  }
}

/** Calls `visit` with each step of `steps` and how many times it runs (repeat counts multiplied in). */
export function forEachStep(steps: readonly Block[], visit: (step: Step, times: number) => void, times = 1): void {
  for (const block of steps) {
    if (block.kind === "repeat") forEachStep(block.steps, visit, times * block.times);
    else visit(block, times);
  }
}

/** What a scenario asks for if no process dies early and no fork fails. */
export interface PlannedWork {
  /** Accesses its touch steps make. */
  readonly accesses: number;
  /** Steps its processes run (a turn each). */
  readonly steps: number;
  /** Processes it creates, spawned and forked. */
  readonly processes: number;
}

/** The work of `scenario`: each process's steps times the number of processes that run them. */
export function plannedWork(scenario: Scenario): PlannedWork {
  const copies = processCopies(scenario);
  let accesses = 0;
  let steps = 0;
  let processes = 0;
  for (const p of scenario.processes) {
    const n = copies.get(p.name) ?? 0;
    processes += n;
    forEachStep(p.steps, (step, times) => {
      steps += n * times;
      if (step.kind === "touch") accesses += n * times * patternAccessCount(step.spec);
    });
  }
  return { accesses, steps, processes };
}

/** How many processes run each listed process's steps: 1 if spawned, else the forks that name it, per forker. */
function processCopies(scenario: Scenario): Map<string, number> {
  const forks = new Map<string, Map<string, number>>(); // forker -> child -> forks per run of the forker
  for (const p of scenario.processes) {
    const made = new Map<string, number>();
    forEachStep(p.steps, (step, times) => {
      if (step.kind === "fork") made.set(step.child, (made.get(step.child) ?? 0) + times);
    });
    forks.set(p.name, made);
  }
  const copies = new Map<string, number>();
  const count = (name: string, forkedBy: string | null): number => {
    const known = copies.get(name);
    if (known !== undefined) return known;
    copies.set(name, 0); // a fork cycle (refused when loading) counts nothing rather than recursing
    const parent = forkedBy === null ? undefined : scenario.processes.find((p) => p.name === forkedBy);
    const n = parent === undefined ? 1 : count(parent.name, parent.forkedBy) * (forks.get(parent.name)?.get(name) ?? 0);
    copies.set(name, n);
    return n;
  };
  for (const p of scenario.processes) count(p.name, p.forkedBy);
  return copies;
}
