/**
 * The replacement policies by name. Adding one is a file in this folder plus
 * one line in `FACTORIES`.
 */
import { ArcPolicy } from "./arc.js";
import { ClockPolicy } from "./clock.js";
import { ClockProPolicy } from "./clock-pro.js";
import { FifoPolicy } from "./fifo.js";
import { LinuxLruPolicy } from "./linux.js";
import { LruPolicy } from "./lru.js";
import { MglruPolicy } from "./mglru.js";
import { OptPolicy } from "./opt.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";
import { S3FifoPolicy } from "./s3-fifo.js";
import { SievePolicy } from "./sieve.js";
import { LfuPolicy } from "./lfu.js";
import { LirsPolicy } from "./lirs.js";
import { SlruPolicy } from "./slru.js";
import { TwoQPolicy } from "./two-q.js";

export type { FutureKnowledge, PolicyOptions, ReplacementHost, ReplacementPolicy, WorkingSetStat } from "./policy.js";
export type { PolicyParams, PolicyParamSpec } from "./params.js";
export { POLICY_INFO, type PolicyInfo } from "./catalog.js";

/** Every policy vmm386 offers; "clock" (the seed's) is the default. */
export const POLICY_NAMES = ["clock", "fifo", "lru", "opt", "arc", "sieve", "s3-fifo", "2q", "lirs", "slru", "lfu", "clock-pro", "linux", "mglru"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
export const DEFAULT_POLICY: PolicyName = "clock";

/** Builds a policy from its options (how a caller hands the kernel a policy of its own, say a plugin). */
export type PolicyFactory = (options: PolicyOptions) => ReplacementPolicy;

const FACTORIES: Record<PolicyName, PolicyFactory> = {
  clock: (o) => new ClockPolicy(o),
  fifo: (o) => new FifoPolicy(o),
  lru: (o) => new LruPolicy(o),
  opt: (o) => new OptPolicy(o),
  arc: (o) => new ArcPolicy(o),
  sieve: (o) => new SievePolicy(o),
  "s3-fifo": (o) => new S3FifoPolicy(o),
  "2q": (o) => new TwoQPolicy(o),
  lirs: (o) => new LirsPolicy(o),
  slru: (o) => new SlruPolicy(o),
  lfu: (o) => new LfuPolicy(o),
  "clock-pro": (o) => new ClockProPolicy(o),
  linux: (o) => new LinuxLruPolicy(o),
  mglru: (o) => new MglruPolicy(o),
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
