/**
 * What `replay --policy-only` prints: its summary or its `--json` object,
 * in which every miss is a fault and there is no MMU, swap or TLB to report.
 */
import type { PolicyOnlyResult } from "../sim/trace/policy-only.js";
import { baseName } from "../sim/trace/trace-name.js";

/** The `--json` object of a policy-only replay: every miss is a fault, and there is no MMU, swap or TLB to report. */
export function policyOnlyJson(r: PolicyOnlyResult): Record<string, unknown> {
  return {
    mode: "policy-only",
    trace: r.file,
    policy: r.policy,
    frames: r.frames,
    accesses: r.accesses,
    references: r.references,
    faults: { total: r.misses },
    misses: r.misses,
    missRatio: r.missRatio,
    seconds: r.seconds,
    referencesPerSecond: referencesPerSecond(r),
    ...(r.workingSet === undefined ? {} : { workingSet: r.workingSet }),
  };
}

/** The summary of a policy-only replay. */
export function policyOnlyText(r: PolicyOnlyResult): string {
  return (
    `policy-only ${baseName(r.file)}: ${r.policy}, ${r.frames} frames: ${r.references} references ` +
    `(${r.accesses} accesses), ${r.misses} misses, miss ratio ${r.missRatio.toFixed(6)}\n` +
    `time: ${r.seconds.toFixed(2)} s (${(referencesPerSecond(r) / 1e6).toFixed(1)} M references/s)`
  );
}

function referencesPerSecond(r: PolicyOnlyResult): number {
  return Math.round(r.references / Math.max(r.seconds, 1e-9));
}
