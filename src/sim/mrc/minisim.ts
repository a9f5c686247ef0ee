/**
 * Miniature simulation (Waldspurger et al., ATC'17): any policy's
 * miss-ratio curve from a spatial sample of the pages. A memory of c frames
 * is modelled by a memory of round(c·R) frames replaying only the sampled
 * pages' references (rate R); its miss ratio estimates the full one. Each
 * size is one small simulation, so a policy that is no stack algorithm
 * (CLOCK, ARC, SIEVE...) gets a curve for a fraction of a sweep's cost.
 *
 * The sample runs through the policy alone (policy-only replay) or, with a
 * machine, through the whole VMM: the sampled accesses are written to a
 * temporary vmm386 binary trace and replayed with `--user-frames` set to
 * each scaled size. A straddling access keeps the part in sampled pages,
 * so the sample's page string is exactly the sampled pages' references.
 */

import type { PolicyChoice } from "../policy-spec.js";
import { replayAtFrameCounts } from "../policy-replay.js";
import type { SystemConfig } from "../system.js";
import { replayTrace } from "../trace/replay.js";
import { straddlePage, type TraceChunk } from "../trace/trace-chunk.js";
import type { TraceFormat } from "../trace/trace-format.js";
import { point, type MrcPoint } from "./curve.js";
import { pageHash } from "./spatial-sample.js";

/** The frames of the miniature memory standing for `size` frames at rate `rate` (0: too small to simulate). */
export function miniFrames(size: number, rate: number): number {
  return Math.round(size * rate);
}

/** Points of one policy from miniature simulations, and the sizes too small to simulate. */
export interface MiniCurve {
  readonly points: MrcPoint[];
  readonly skippedSizes: number[];
}

/**
 * Miniature simulations of `policy` at each size on `sampled`, the sampled
 * pages' references of a string of `references` references: one replay per
 * distinct miniature memory (sizes that scale to the same frames share it),
 * OPT's future built once.
 */
export function miniSimulate(sampled: Int32Array, references: number, policy: PolicyChoice, sizes: readonly number[], rate: number): MiniCurve {
  const frameCounts = miniFrameCounts(sizes, rate);
  const results = replayAtFrameCounts(sampled, frameCounts, { policy });
  const ratios = new Map(frameCounts.map((frames, i) => [frames, sampled.length === 0 ? 0 : results[i].misses / sampled.length]));
  return simulateSizes(sizes, rate, (frames) => ratios.get(frames) ?? 0, references);
}

/** As miniSimulate, through the full VMM: `trace` holds the sampled accesses; `system` is the machine, its policy and frame cap set per point. */
export async function miniSimulateVmm(
  trace: string,
  references: number,
  policy: PolicyChoice,
  sizes: readonly number[],
  rate: number,
  system: SystemConfig,
): Promise<MiniCurve> {
  const ratios = new Map<number, number>();
  for (const frames of miniFrameCounts(sizes, rate)) ratios.set(frames, await vmmMissRatio(trace, { ...system, policy, userFrames: frames }));
  return simulateSizes(sizes, rate, (frames) => ratios.get(frames) ?? 0, references);
}

/** Faults per page reference of a VMM replay of `trace` on `system`. */
export async function vmmMissRatio(trace: string, system: SystemConfig, format?: TraceFormat): Promise<number> {
  const r = await replayTrace(trace, { system, format });
  return r.stats.references === 0 ? 0 : r.stats.faults.total / r.stats.references;
}

/** The distinct miniature memories of `sizes` at `rate` that hold a frame at least, in order of first appearance. */
function miniFrameCounts(sizes: readonly number[], rate: number): number[] {
  return [...new Set(sizes.map((size) => miniFrames(size, rate)).filter((frames) => frames >= 1))];
}

function simulateSizes(sizes: readonly number[], rate: number, missRatioAt: (frames: number) => number, references: number): MiniCurve {
  const points: MrcPoint[] = [];
  const skippedSizes: number[] = [];
  for (const size of sizes) {
    const frames = miniFrames(size, rate);
    if (frames < 1) skippedSizes.push(size);
    else points.push(point(size, missRatioAt(frames) * references, references));
  }
  return { points, skippedSizes };
}

/**
 * Copies into `out` the parts of `chunk`'s accesses that fall in sampled
 * pages (hash below `threshold`); `out` must hold chunk.length accesses.
 */
export function sampleAccesses(chunk: TraceChunk, threshold: number, seed: number, out: TraceChunk): void {
  const { addr, kind, size } = chunk;
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    const second = straddlePage(a, size[i]);
    const keepFirst = pageHash(a >>> 12, seed) < threshold;
    const keepSecond = second >= 0 && pageHash(second, seed) < threshold;
    if (!keepFirst && !keepSecond) continue;
    // Bytes of the access in its first page: a straddle keeps only the part in a sampled page.
    const head = 4096 - (a & 0xfff);
    out.addr[n] = keepFirst ? a : (a + head) | 0;
    out.size[n] = second < 0 || (keepFirst && keepSecond) ? size[i] : keepFirst ? head : size[i] - head;
    out.kind[n] = kind[i];
    n++;
  }
  out.length = n;
}
