/**
 * OPT on a scenario. OPT evicts the page whose next use is farthest away,
 * so the kernel must be told the run's page-reference string before the
 * run. A scenario run is deterministic for a given seed: the string can be
 * recorded in one run and served to OPT in the next — if the policy does
 * not change it. It can: fewer faults lift the thrashing throttle sooner
 * (another turn order), or spare a process an out-of-memory kill, a refused
 * fork or a straddle livelock. So every OPT run records the references it
 * really makes, and a run that made exactly the references it was served
 * is OPT's own run. The search starts from LRU's string and serves each OPT
 * run's string to the next, for a few runs; a scenario whose string does
 * not settle is refused.
 *
 * References are the runner's (touch accesses, both pages of a straddling
 * one, the pages a copyOut writes), keyed as the kernel keys its policy:
 * pageKey(address space id, va). A frame shared copy-on-write is judged by
 * the page that brought it in, as the kernel keys it.
 */
import type { FutureKnowledge } from "../../kernel/replacement/index.js";
import { choiceNeedsFuture } from "../policy-spec.js";
import type { System, SystemConfig } from "../system.js";
import { NEVER, PageString, linkNextUses } from "../next-use.js";
import { ScenarioRunner, type ReferenceSink } from "./runner.js";
import { forEachStep } from "./program.js";
import { ScenarioError, type Scenario, type Step } from "./types.js";

/**
 * OPT runs of the search at most, after the recording under LRU. Most
 * scenarios settle in one; throttle-bound ones took up to six when tried.
 */
const OPT_RUNS = 6;

/**
 * A run's page references, in order. Policy keys (pageKey: space id times
 * 2^20 plus page) are too sparse to index a table, so each distinct key is
 * numbered as it first appears and the string holds the numbers.
 */
export class ReferenceString implements ReferenceSink {
  /** Numbers of the keys referenced, in order. */
  private readonly numbers = new PageString();
  /** Key of each number. */
  private readonly keys: number[] = [];
  private readonly numberOf = new Map<number, number>();

  note(key: number): void {
    let n = this.numberOf.get(key);
    if (n === undefined) {
      n = this.keys.length;
      this.keys.push(key);
      this.numberOf.set(key, n);
    }
    this.numbers.push(n);
  }

  /** The key of reference `i`. */
  at(i: number): number {
    return this.keys[this.numbers.at(i)];
  }

  get length(): number {
    return this.numbers.length;
  }

  /** The string of key numbers (dense: 0 .. distinct keys - 1), as miss-ratio curves read a page string. */
  numberString(): Int32Array {
    return this.numbers.view();
  }

  /** For each reference: the index of the next reference to its key, or NEVER. */
  nextUses(): Int32Array {
    const next = new Int32Array(this.length);
    linkNextUses([this.numbers.view()], next, new Int32Array(this.keys.length).fill(NEVER));
    return next;
  }
}

/**
 * OPT's future from a recorded string. The runner notes each reference
 * just before it is made: its page's next use becomes the index of its
 * next recorded reference (as TraceFuture does for a trace). It also
 * records what the run referenced and where that first left the recording.
 */
export class RecordedFuture implements FutureKnowledge, ReferenceSink {
  /** What this run referenced. */
  readonly made = new ReferenceString();
  /** The step during which the references first differed from the recording, or null. */
  divergedIn: Step | null = null;
  private readonly expected: ReferenceString;
  /** next[i]: index of the next reference to the page of reference i, or NEVER. */
  private readonly next: Int32Array;
  private readonly nextOf = new Map<number, number>();
  private step: Step | null = null;

  constructor(expected: ReferenceString) {
    this.expected = expected;
    this.next = expected.nextUses();
  }

  /** The runner starts executing `step`. */
  enter(step: Step): void {
    this.step = step;
  }

  note(key: number): void {
    const i = this.made.length;
    this.made.note(key);
    const agrees = i < this.expected.length && this.expected.at(i) === key;
    if (!agrees && this.divergedIn === null) this.divergedIn = this.step;
    const next = agrees ? this.next[i] : NEVER;
    this.nextOf.set(key, next === NEVER ? Infinity : next);
  }

  nextUse(key: number): number {
    return this.nextOf.get(key) ?? Infinity;
  }

  /** True when the run made exactly the recorded references. */
  get matched(): boolean {
    return this.divergedIn === null && this.made.length === this.expected.length;
  }
}

/** Builds a System for a config. */
export type OpenSystem = (config: SystemConfig) => System;

/**
 * The future to serve in a run of `scenario` on `config` (pass it as the
 * config's `future` and the runner's `references`), or undefined when the
 * policy needs none. Throws ScenarioError, naming the step where the
 * references changed, when OPT's reference string does not settle.
 */
export async function scenarioFuture(scenario: Scenario, config: SystemConfig, open: OpenSystem): Promise<RecordedFuture | undefined> {
  if (config.policy === undefined || !choiceNeedsFuture(config.policy)) return undefined;
  refuseFork(scenario);
  return settledFuture(scenario, config, open);
}

/**
 * OPT needs one next use per frame, and the kernel keys a frame by the page
 * that brought it in. After a fork a frame is shared copy-on-write by
 * several pages, each with its own next use: judged by the first, a frame
 * the child still uses looks dead once the parent is done with it, and OPT
 * then faults more than LRU (found by trying such a scenario). Until the
 * policy takes the nearest next use over every page mapping a frame, a
 * scenario that forks is refused rather than given a wrong "optimum".
 */
function refuseFork(scenario: Scenario): void {
  for (const p of scenario.processes) {
    forEachStep(p.steps, (step) => {
      if (step.kind !== "fork") return;
      throw new ScenarioError(
        `${scenario.file}:${step.line}: ${step.path}`,
        "policy opt cannot judge the frames a fork shares copy-on-write (each sharer has its own next use); use it on a scenario without fork, or on a trace",
      );
    });
  }
}

/** A fresh future for a run under OPT that will make exactly its references. */
async function settledFuture(scenario: Scenario, config: SystemConfig, open: OpenSystem): Promise<RecordedFuture> {
  let recorded = new ReferenceString();
  await runRecording(scenario, open({ ...config, policy: "lru", future: undefined }), recorded);
  for (let run = 1; ; run++) {
    const future = new RecordedFuture(recorded);
    await runRecording(scenario, open({ ...config, policy: "opt", future }), future);
    if (future.matched) return new RecordedFuture(recorded);
    if (run === OPT_RUNS) throw unsettled(scenario, future);
    recorded = future.made;
  }
}

/** Runs `scenario` to the end on `system` (closed afterwards), noting its references in `sink`. */
async function runRecording(scenario: Scenario, system: System, sink: ReferenceSink): Promise<void> {
  try {
    await new ScenarioRunner(system, scenario, { references: sink }).run();
  } finally {
    system.close();
  }
}

/** The refusal, at the step whose references changed (or the file, if the run only ended sooner). */
function unsettled(scenario: Scenario, future: RecordedFuture): ScenarioError {
  const step = future.divergedIn;
  const where = step === null ? scenario.file : `${scenario.file}:${step.line}: ${step.path}`;
  const what = step === null ? "the run's page references change" : "this step's page references change";
  return new ScenarioError(
    where,
    `policy opt: ${what} with the policy (the thrashing throttle, a killed process or a refused request changes what runs when), so OPT's future is unknown; use opt on a trace (replay, sweep) or another policy`,
  );
}
