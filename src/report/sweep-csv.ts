/**
 * A sweep as tidy CSV, one row per point in the sweep's order (policies
 * outermost, sizes ascending): what a spreadsheet, pandas or R reads
 * without knowing vmm386. A policy with parameters has commas in its label
 * (`2q:kin=0.1,kout=1`), so fields are quoted as RFC 4180 says.
 */
import type { OutputKind } from "../sim/output-file.js";
import type { SweepResult } from "../sim/sweep/sweep.js";

/** The first line of `sweepCsv`, by which a later run recognises its own CSV. */
export const SWEEP_CSV_HEADER = "policy,axis,size,label,references,faults,miss_ratio,major_faults,killed";

/** An existing file --csv may replace without --force: an earlier sweep's CSV. */
export const SWEEP_CSV: OutputKind = { noun: "vmm386 sweep CSV", recognise: (head) => head.toString("latin1").startsWith(SWEEP_CSV_HEADER) };

/** Every point of the sweep, one CSV row each; miss ratios at full precision. */
export function sweepCsv(sweep: SweepResult): string {
  const rows = [SWEEP_CSV_HEADER];
  for (const p of sweep.points) {
    rows.push([p.policy, sweep.axis, p.size, p.label, p.references, p.faults, p.missRatio, p.majorFaults, p.killed].map(csvField).join(","));
  }
  return rows.join("\n") + "\n";
}

/** A field quoted (its quotes doubled) when it holds a comma, a quote or a line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
