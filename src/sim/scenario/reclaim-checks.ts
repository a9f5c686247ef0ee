/**
 * The reclaim settings a user writes, read and checked in one place: the
 * swap-latency model's ticks per page and the thrashing throttle's rule
 * (`seed`, `psi`, `psi:some_avg10=40`). Each returns the value or a phrase
 * saying what is wrong, for the caller to prefix with its option or key.
 * (A policy's parameters, such as `mglru:min_ttl=100`, are policy-spec.ts's.)
 */
import { DEFAULT_PSI_THRESHOLD, type ThrottleRule } from "../../kernel/psi.js";

/** The most ticks one page of swap I/O may take (an hour, a tick as a second). */
export const MAX_SWAP_TICKS = 3600;

/** Ticks per page of swap I/O: a decimal number from 0 to MAX_SWAP_TICKS. */
export function swapTicksValue(text: string): number | string {
  const t = text.trim();
  if (!/^\d+(?:\.\d+)?$/.test(t)) return `'${text}' is not a number of ticks (0, 0.012, 2...)`;
  const n = Number(t);
  return n <= MAX_SWAP_TICKS ? n : `${n} ticks is more than ${MAX_SWAP_TICKS} (an hour, a tick as a second)`;
}

/** `seed`, `psi` (some avg10 ≥ 60 %, systemd-oomd's default) or `psi:some_avg10=PCT` (0 < PCT ≤ 100). */
export function throttleValue(text: string): ThrottleRule | string {
  const t = text.trim();
  if (t === "seed") return { kind: "seed" };
  if (t === "psi") return { kind: "psi", someAvg10: DEFAULT_PSI_THRESHOLD };
  const m = /^psi:some_avg10=(\d+(?:\.\d+)?)$/.exec(t);
  if (m === null) return `'${text}' is not seed, psi or psi:some_avg10=PERCENT`;
  const pct = Number(m[1]);
  return pct > 0 && pct <= 100 ? { kind: "psi", someAvg10: pct } : `some_avg10=${m[1]} is not a percentage above 0 and at most 100`;
}

/** The rule as written back: `seed`, `psi:some_avg10=60`. */
export function formatThrottle(rule: ThrottleRule): string {
  return rule.kind === "seed" ? "seed" : `psi:some_avg10=${rule.someAvg10}`;
}
