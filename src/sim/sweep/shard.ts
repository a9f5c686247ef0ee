/**
 * A shard of a sweep: `I/N` takes the points whose index modulo N is I
 * (points are numbered policies outermost, sizes ascending: sweepJobs).
 * Dealing the points out in turn, rather than in contiguous blocks, gives
 * every shard a mix of policies and sizes, so that shards of one grid take
 * about the same time even when one policy (OPT) or the smallest sizes cost
 * far more than the rest. The partition depends on N and the point count
 * only, so every machine of a cluster computes the same one.
 */

/** Shard `index` of `count` (0 <= index < count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Most shards a grid is cut into: far beyond any array job, small enough to list every index. */
export const MAX_SHARDS = 100_000;

/** The whole grid as one shard. */
export const WHOLE_GRID: Shard = { index: 0, count: 1 };

/** Parses `I/N`; the problem in one line (the caller names the option) if it is not a shard. */
export function parseShard(text: string): Shard | { readonly problem: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) return { problem: `'${text}' is not I/N (shard I of N, counted from 0), e.g. 0/4` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return { problem: `'${text}': N must be 1 to ${MAX_SHARDS.toLocaleString("en-US")}` };
  if (index >= count) return { problem: `'${text}': I must be 0 to ${count - 1} (shards are counted from 0)` };
  return { index, count };
}

/** The point indices of `shard` in a grid of `total` points, ascending. */
export function shardIndices(total: number, shard: Shard): number[] {
  const indices: number[] = [];
  for (let i = shard.index; i < total; i += shard.count) indices.push(i);
  return indices;
}

/** "2/4" */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
