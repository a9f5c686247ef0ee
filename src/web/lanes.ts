/**
 * The lanes a run is compared in: every policy ticked under every frame
 * count typed (policies × frame counts, at most MAX_LANES), so "fifo" with
 * frames "3, 4" is Belady's two lanes and "fifo, lru" with "4" is two
 * policies on one machine. No policy: the run's own; no frames: its own.
 */
import type { PolicyName } from "../kernel/replacement/index.js";
import { MAX_LANES } from "../sim/timeline/lockstep.js";

/** The lanes as the worker takes them: policies[i] with frames[i] (either may be absent: the run's own). */
export interface LaneChoice {
  readonly policies: readonly PolicyName[];
  readonly frames?: readonly number[];
}

/** The frame counts typed ("3, 4" or "3 4"), or a problem in words. */
export function parseFrames(text: string): number[] | string {
  const words = text.split(/[\s,]+/).filter((w) => w !== "");
  const bad = words.find((w) => !/^[1-9]\d{0,6}$/.test(w));
  if (bad !== undefined) return `frames: '${bad}' is not a number of frames (a whole number from 1)`;
  return words.map(Number);
}

/** The lanes of `policies` under `frames`, or a problem in words when they are more than MAX_LANES. */
export function laneChoice(policies: readonly PolicyName[], frames: readonly number[]): LaneChoice | string {
  if (frames.length === 0) return { policies };
  const named: (PolicyName | undefined)[] = policies.length > 0 ? [...policies] : [undefined];
  const lanes = named.length * frames.length;
  if (lanes > MAX_LANES) return `${named.length} polic${named.length === 1 ? "y" : "ies"} × ${frames.length} frame counts make ${lanes} lanes; at most ${MAX_LANES} run side by side`;
  const pairs = named.flatMap((policy) => frames.map((f) => ({ policy, frames: f })));
  // A lane without a policy of its own is given none: the worker reads a shorter policies list as "the run's own".
  return { policies: pairs.flatMap((p) => (p.policy === undefined ? [] : [p.policy])), frames: pairs.map((p) => p.frames) };
}
