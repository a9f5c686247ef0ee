/**
 * Miss-ratio curves as data: a curve is a policy's misses at memory sizes
 * (in page frames), computed exactly (a stack algorithm's distance
 * histogram, or full simulation at each size) or estimated from a spatial
 * sample (SHARDS, MINISIM). Plain objects, so JSON, CSV and the HTML
 * report read the same thing.
 */

import { missesBySize, type StackHistogram } from "./lru-stack.js";

/** How a curve was obtained. */
export type MrcMethod = "exact" | "simulation" | "shards" | "minisim";

export interface MrcPoint {
  /** Memory size in page frames. */
  readonly size: number;
  /** Misses (estimated: rounded to the nearest whole miss). */
  readonly misses: number;
  /** misses / references, in [0, 1]. */
  readonly missRatio: number;
}

/** What a sampled curve saw of the trace. */
export interface MrcSampling {
  readonly mode: "fixed-rate" | "fixed-size";
  /** The rate at the end (fixed size: as low as it went). */
  readonly rate: number;
  /** Fixed size: the most pages kept. */
  readonly maxPages?: number;
  readonly seed: number;
  /** SHARDS: stack distances 1..headDepth counted exactly on every reference, not sampled. */
  readonly headDepth?: number;
  readonly sampledReferences: number;
  readonly sampledPages: number;
}

/** A curve's distance from its exact counterpart, over the sizes both have. */
export interface MrcError {
  /** The curve compared with, e.g. "lru exact". */
  readonly against: string;
  /** Mean absolute error of the miss ratio. */
  readonly mae: number;
  /** Largest absolute error of the miss ratio, and where. */
  readonly maxError: number;
  readonly maxErrorSize: number;
  readonly sizes: number;
}

export interface MrcCurve {
  readonly policy: string;
  readonly method: MrcMethod;
  /** Ran through the full VMM (MINISIM and its check), not the policy alone. */
  readonly vmm?: boolean;
  readonly points: readonly MrcPoint[];
  /** Stack distances behind the curve (exact and SHARDS): counts[d] references at distance d, `cold` first references. */
  readonly histogram?: { readonly cold: number; readonly counts: readonly number[] };
  readonly sampling?: MrcSampling;
  /** Sizes a miniature simulation could not run (the scaled memory would hold no frame). */
  readonly skippedSizes?: readonly number[];
  readonly error?: MrcError;
}

/** What `vmm386 mrc` computed for a trace. */
export interface MrcResult {
  readonly trace: string;
  readonly format: string;
  readonly accesses: number;
  readonly references: number;
  readonly distinctPages: number;
  readonly curves: readonly MrcCurve[];
  /** Wall-clock seconds of the whole computation. */
  readonly seconds: number;
}

/** The curve's name in tables and legends: "lru exact", "lru shards", "arc minisim (vmm)". */
export function curveName(c: MrcCurve): string {
  return `${c.policy} ${c.method}${c.vmm ? " (vmm)" : ""}`;
}

/** Points at sizes 1..maxSize from a (possibly estimated) distance histogram over `references` references. */
export function histogramPoints(h: StackHistogram, maxSize: number, references: number): MrcPoint[] {
  const misses = missesBySize(h, maxSize);
  const points: MrcPoint[] = [];
  for (let c = 1; c <= maxSize; c++) points.push(point(c, misses[c], references));
  return points;
}

/** A point from a miss count (an estimate is rounded and clipped to [0, references]). */
export function point(size: number, misses: number, references: number): MrcPoint {
  const m = Math.min(references, Math.max(0, Math.round(misses)));
  return { size, misses: m, missRatio: references === 0 ? 0 : m / references };
}

/** The histogram as plain numbers for JSON and charts. */
export function plainHistogram(h: StackHistogram): { cold: number; counts: number[] } {
  return { cold: Math.round(h.cold), counts: Array.from(h.counts, (c) => Math.round(c)) };
}

/** The error of `estimate` against `exact` over the sizes both have a point at. */
export function curveError(estimate: readonly MrcPoint[], exact: readonly MrcPoint[], against: string): MrcError {
  const exactAt = new Map(exact.map((p) => [p.size, p.missRatio]));
  let sum = 0;
  let sizes = 0;
  let maxError = 0;
  let maxErrorSize = 0;
  for (const p of estimate) {
    const x = exactAt.get(p.size);
    if (x === undefined) continue;
    const e = Math.abs(p.missRatio - x);
    sum += e;
    sizes++;
    if (e > maxError) {
      maxError = e;
      maxErrorSize = p.size;
    }
  }
  return { against, mae: sizes === 0 ? 0 : sum / sizes, maxError, maxErrorSize, sizes };
}
