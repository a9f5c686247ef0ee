/**
 * `vmm386 mrc`'s text outputs: the terminal table (miss ratios at a few
 * sizes, one column per curve, then each estimate's error) and tidy CSV
 * with every point. No chart library: the terminal needs none.
 */
import Table from "cli-table3";
import { curveName, type MrcCurve, type MrcResult } from "../sim/mrc/curve.js";

/**
 * The sizes a terminal or HTML summary lists: of a curve with every size
 * (exact, SHARDS), 1, 2, 4, ... and its largest; of simulations, theirs.
 */
export function summarySizes(result: MrcResult): number[] {
  const sizes = new Set<number>();
  for (const c of result.curves) {
    if (c.method === "exact" || c.method === "shards") {
      const max = c.points.length;
      for (let s = 1; s < max; s *= 2) sizes.add(s);
      if (max > 0) sizes.add(max);
    } else {
      for (const p of c.points) sizes.add(p.size);
    }
  }
  return [...sizes].sort((a, b) => a - b);
}

/** Miss ratios at the summary sizes, one column per curve; then each estimate's error. */
export function mrcSummaryTable(result: MrcResult): string {
  const t = new Table({ head: ["frames", ...result.curves.map(curveName)], style: { head: [], border: [], compact: true } });
  for (const size of summarySizes(result)) {
    t.push([String(size), ...result.curves.map((c) => ratioAt(c, size))]);
  }
  const lines = [t.toString()];
  for (const c of result.curves) {
    if (c.error !== undefined) lines.push(`${curveName(c)} vs ${c.error.against}: ${errorText(c)}`);
    if (c.skippedSizes !== undefined && c.skippedSizes.length > 0) {
      lines.push(`${curveName(c)}: no miniature memory for ${c.skippedSizes.join(", ")} frames at rate ${c.sampling?.rate ?? ""} (under one frame)`);
    }
  }
  return lines.join("\n");
}

export function ratioAt(c: MrcCurve, size: number): string {
  const p = c.points.find((x) => x.size === size);
  return p === undefined ? "-" : p.missRatio.toFixed(4);
}

/** "MAE 0.0031, max 0.0402 at 3 frames, over 111 sizes" */
export function errorText(c: MrcCurve): string {
  const e = c.error;
  if (e === undefined) return "";
  return `MAE ${e.mae.toFixed(4)}, max ${e.maxError.toFixed(4)} at ${e.maxErrorSize} frames, over ${e.sizes} sizes`;
}

/** The first line of `mrcCsv`, by which a later run recognises its own CSV. */
export const MRC_CSV_HEADER = "curve,policy,method,vmm,size,misses,miss_ratio";

/** Every point of every curve, one CSV row each (curve, policy, method, vmm, size, misses, miss_ratio). */
export function mrcCsv(result: MrcResult): string {
  const rows = [MRC_CSV_HEADER];
  for (const c of result.curves) {
    for (const p of c.points) rows.push(`${curveName(c)},${c.policy},${c.method},${c.vmm === true},${p.size},${p.misses},${p.missRatio}`);
  }
  return rows.join("\n") + "\n";
}
