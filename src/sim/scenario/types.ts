/**
 * A scenario as the runner sees it: sizes in bytes, addresses as numbers,
 * every step carrying the place it came from so run-time problems can name
 * the file line too. A `repeat` block stays a block (program.ts walks it):
 * its count may be 10^9, which no unrolled list could hold.
 */
import { InputError } from "../../machine/input-error.js";
import type { MachineSettings } from "../system.js";
import type { PatternSpec } from "../workload/patterns.js";

/** Replacement policies a scenario may ask for: a name, parameters, a plugin (src/sim/policy-spec.ts). */
export type { PolicyChoice } from "../policy-spec.js";

/** Where a step was written: `file:line` and the key path, for messages. */
export interface StepOrigin {
  readonly line: number;
  readonly path: string;
}

export type Step = StepOrigin &
  (
    | { readonly kind: "brk"; readonly to: number | null; readonly delta: number }
    | { readonly kind: "mmap"; readonly at: number; readonly length: number; readonly writable: boolean }
    | { readonly kind: "munmap"; readonly at: number; readonly length: number }
    | { readonly kind: "touch"; readonly at: number; readonly spec: PatternSpec }
    | { readonly kind: "fork"; readonly child: string }
    | { readonly kind: "exit"; readonly status: number }
    | {
        readonly kind: "copyOut";
        readonly at: number;
        readonly length: number;
        /** The text's bytes, or null: byte i is then i & 0xFF, made as it is copied. */
        readonly text: Uint8Array | null;
      }
    | { readonly kind: "tick"; readonly ticks: number }
    | { readonly kind: "switch"; readonly target: string }
    | { readonly kind: "yield" }
    | { readonly kind: "pokePte"; readonly at: number; readonly clear: number; readonly set: number }
  );

export type StepKind = Step["kind"];

/** `steps` run `times` times over, one step per turn as if written out. */
export interface Repeat extends StepOrigin {
  readonly kind: "repeat";
  readonly times: number;
  readonly steps: readonly Block[];
}

/** What a process's step list holds: steps and repeat blocks. */
export type Block = Step | Repeat;

export interface ProcessSpec {
  readonly name: string;
  /** The process whose `fork` step creates this one; null if spawned at the start. */
  readonly forkedBy: string | null;
  readonly steps: readonly Block[];
}

export interface Scenario {
  /** The file it was read from (as given), or a label such as `<demo>`. */
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly machine: MachineSettings;
  /** Timer ticks after each round of turns. */
  readonly ticksPerRound: number;
  /** Recorder interval in accesses, or "tick" (a sample after every tick); undefined = chosen by the runner. */
  readonly sampleEvery: number | "tick" | undefined;
  readonly processes: readonly ProcessSpec[];
}

/** A scenario problem a user can fix, at `file:line: key.path`. */
export class ScenarioError extends InputError {
  override name = "ScenarioError";
  constructor(where: string, detail: string) {
    super(detail, where);
  }
}
