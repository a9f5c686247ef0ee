/** Small formatting helpers shared by the HTML report and the terminal tables (no chart library here). */
import type { RunResult } from "../sim/scenario/result.js";

/** The run's machine had no TLB (`--tlb off`): every translation walked, so the counters have misses and no hits. */
export function tlbOff(run: RunResult): boolean {
  return !run.stats.tlb.enabled;
}

/** What the thrashing throttle did to the turn order, or null when it never made a process sit out. */
export function throttleSkipsText(run: RunResult): string | null {
  const n = run.throttleSkips;
  if (n === 0) return null;
  return `thrashing throttle: throttled processes sat out ${n.toLocaleString("en-US")} turn${n === 1 ? "" : "s"} so that others could run`;
}

/** "97.3 %" of the run's TLB lookups; "off" when the TLB was off; "-" when it was on but made no lookups. */
export function tlbRate(run: RunResult): string {
  if (tlbOff(run)) return "off";
  const { hits, misses } = run.stats.tlb;
  const lookups = hits + misses;
  return lookups === 0 ? "-" : `${((100 * hits) / lookups).toFixed(1)} %`;
}
