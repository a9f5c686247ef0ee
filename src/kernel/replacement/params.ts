/**
 * Policy parameters: each policy file declares its tunables (key, default,
 * range) next to the code that reads them, with libCacheSim's name for the
 * same knob, and reads them from `PolicyOptions.params` at construction.
 * Parsing and checking user text (`s3-fifo:small=0.1`) is the simulation
 * layer's (src/sim/policy-spec.ts); here a value is already a number in range.
 */
import type { PolicyOptions } from "./policy.js";

/** Parameter values by key; a missing key takes its default. */
export type PolicyParams = Readonly<Record<string, number>>;

/** One tunable of a policy. */
export interface PolicyParamSpec {
  readonly key: string;
  readonly default: number;
  /** Inclusive range of accepted values. */
  readonly min: number;
  readonly max: number;
  /** Only whole numbers. */
  readonly integer?: boolean;
  /** libCacheSim's name for it (`-e name=value`), when it has one. */
  readonly libCacheSim?: string;
  /** One line for `vmm386 policies`. */
  readonly about: string;
}

/** The value of `spec` in `options.params`, or its default. */
export function paramOf(options: PolicyOptions, spec: PolicyParamSpec): number {
  return options.params?.[spec.key] ?? spec.default;
}

/** Resident capacity in pages: `options.capacity`, or `maxFrames` when unknown; at least 1. */
export function capacityOf(options: PolicyOptions): number {
  return Math.max(1, options.capacity > 0 ? options.capacity : options.maxFrames);
}
