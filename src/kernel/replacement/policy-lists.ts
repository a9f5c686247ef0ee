/**
 * A policy's own lists as a view, for `inspect`, JSON and reports: the
 * two-list LRU's inactive and active lists, MGLRU's generations (in the
 * spirit of /sys/kernel/debug/lru_gen). Off the hot path: a view is built
 * when asked, as plain arrays. Policies without lists have no view.
 */
import type { ReplacementPolicy } from "./policy.js";

export interface PolicyList {
  /** "inactive", "active", "gen 7", "held" (frames whose eviction failed). */
  readonly name: string;
  /** MGLRU: the generation's sequence number and birth tick. */
  readonly seq?: number;
  readonly birth?: number;
  /** Frames, newest first (the order the policy keeps them in). */
  readonly frames: readonly number[];
}

/** A policy that can show its lists. */
export interface ListedPolicy extends ReplacementPolicy {
  /** The lists, the one reclaim takes from first first. */
  lists(): PolicyList[];
  /** Disagreements between the policy's lists, counters and per-frame state (the invariant checker's "policy" rule); [] when none. */
  audit(): string[];
}

/** True if `policy` shows its lists. */
export function hasLists(policy: ReplacementPolicy): policy is ListedPolicy {
  return typeof (policy as Partial<ListedPolicy>).lists === "function";
}
