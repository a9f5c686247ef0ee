/**
 * The replacement policies by name. Adding one is a file in this folder plus
 * one line in `FACTORIES`.
 */
import { ArcPolicy } from "./arc.js";
import { ClockPolicy } from "./clock.js";
import { FifoPolicy } from "./fifo.js";
import { LruPolicy } from "./lru.js";
import { OptPolicy } from "./opt.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";
import { S3FifoPolicy } from "./s3-fifo.js";
import { SievePolicy } from "./sieve.js";

export type { FutureKnowledge, PolicyOptions, ReplacementHost, ReplacementPolicy } from "./policy.js";

/** Every policy vmm386 offers; "clock" (the seed's) is the default. */
export const POLICY_NAMES = ["clock", "fifo", "lru", "opt", "arc", "sieve", "s3-fifo"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
export const DEFAULT_POLICY: PolicyName = "clock";

const FACTORIES: Record<PolicyName, (options: PolicyOptions) => ReplacementPolicy> = {
  clock: (o) => new ClockPolicy(o),
  fifo: (o) => new FifoPolicy(o),
  lru: (o) => new LruPolicy(o),
  opt: (o) => new OptPolicy(o),
  arc: (o) => new ArcPolicy(o),
  sieve: (o) => new SievePolicy(o),
  "s3-fifo": (o) => new S3FifoPolicy(o),
};

/** True if `name` is one of `POLICY_NAMES` (for validating --policy and scenario keys). */
export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** True if the policy needs `options.future` (it can only run on a recorded trace). */
export function needsFuture(name: PolicyName): boolean {
  return name === "opt";
}

/**
 * A new, empty policy. Throws if `name` needs future knowledge and
 * `options.future` is missing (see `needsFuture`).
 */
export function createPolicy(name: PolicyName, options: PolicyOptions): ReplacementPolicy {
  return FACTORIES[name](options);
}
