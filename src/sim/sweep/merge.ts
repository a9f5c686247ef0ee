/**
 * `sweep-merge`: the parts of a sharded sweep put back together into the
 * SweepResult the unsharded sweep gives, point for point and key for key.
 * The set is checked first, so that no merge is ever a wrong curve: every
 * part of one grid (the fingerprint of the majority, the first part's on a
 * tie), made by one vmm386 and cut into the same N, each shard 0..N-1
 * exactly once, each holding exactly its shard's points. A refusal is one
 * InputError naming the file or the shards at fault.
 */
import { InputError } from "../../machine/input-error.js";
import { shardIndices, shardLabel } from "./shard.js";
import { sweepResult, type SweepPoint, type SweepResult } from "./sweep.js";
import type { SweepPart } from "./sweep-part.js";

/** A part and the file it was read from. */
export interface PartFile {
  readonly file: string;
  readonly part: SweepPart;
}

/** The merged sweep of `parts`, or an InputError naming what is missing, doubled or foreign. */
export function mergeSweepParts(parts: readonly PartFile[]): SweepResult {
  if (parts.length === 0) throw new InputError("no sweep parts given");
  const reference = majorityPart(parts);
  for (const p of parts) checkSameGrid(p, reference);
  const byShard = checkEachShardOnce(parts, reference.part.shard.count);
  for (const p of byShard) checkShardPoints(p);
  const points: SweepPoint[] = new Array<SweepPoint>(reference.part.total);
  for (const { part } of byShard) for (const { index, result } of part.points) points[index] = samePoint(result);
  return sweepResult(byShard[0].part.sweep, points);
}

/** The part whose grid most parts share (the earliest of them on a tie): the others are measured against it. */
function majorityPart(parts: readonly PartFile[]): PartFile {
  const counts = new Map<string, number>();
  for (const { part } of parts) counts.set(part.grid, (counts.get(part.grid) ?? 0) + 1);
  let best = parts[0];
  for (const p of parts) if ((counts.get(p.part.grid) ?? 0) > (counts.get(best.part.grid) ?? 0)) best = p;
  return best;
}

/** Refuses `p` if it is of another grid, another vmm386 or another N than `reference`. */
function checkSameGrid(p: PartFile, reference: PartFile): void {
  const ours = p.part;
  const theirs = reference.part;
  if (ours.grid !== theirs.grid) {
    throw new InputError(`a part of a different grid than ${reference.file} (another source, machine, policy or size list; grid ${ours.grid.slice(0, 12)}, not ${theirs.grid.slice(0, 12)})`, p.file);
  }
  if (ours.vmm386 !== theirs.vmm386) throw new InputError(`made by vmm386 ${ours.vmm386}, ${reference.file} by ${theirs.vmm386}: run every shard with one version`, p.file);
  if (ours.shard.count !== theirs.shard.count || ours.total !== theirs.total) {
    throw new InputError(`shard ${shardLabel(ours.shard)}, but ${reference.file} is shard ${shardLabel(theirs.shard)}: the grid was cut into different numbers of shards`, p.file);
  }
}

/** The parts by shard index, 0..count-1; refuses a shard given twice and names the shards missing. */
function checkEachShardOnce(parts: readonly PartFile[], count: number): PartFile[] {
  const byShard: (PartFile | undefined)[] = new Array<PartFile | undefined>(count).fill(undefined);
  for (const p of parts) {
    const earlier = byShard[p.part.shard.index];
    if (earlier !== undefined) throw new InputError(`shard ${shardLabel(p.part.shard)} given twice: ${earlier.file} and ${p.file}`);
    byShard[p.part.shard.index] = p;
  }
  const missing = byShard.flatMap((p, i) => (p === undefined ? [i] : []));
  if (missing.length > 0) {
    const shown = missing.length > 20 ? `${missing.slice(0, 20).join(", ")} and ${missing.length - 20} more` : missing.join(", ");
    throw new InputError(`missing shard${missing.length > 1 ? "s" : ""} ${shown} of 0..${count - 1} (${parts.length} of ${count} parts given)`);
  }
  return byShard as PartFile[];
}

/** Refuses a part that does not hold exactly its shard's points, in order. */
function checkShardPoints({ file, part }: PartFile): void {
  const expected = shardIndices(part.total, part.shard);
  const held = part.points.map((p) => p.index);
  if (held.length !== expected.length || held.some((index, k) => index !== expected[k])) {
    throw new InputError(`shard ${shardLabel(part.shard)} of ${part.total} points should hold ${listed(expected)}, holds ${listed(held)}`, file);
  }
}

/** "3 points (1, 4, 7)" */
function listed(indices: readonly number[]): string {
  const shown = indices.length > 8 ? `${indices.slice(0, 8).join(", ")}, ...` : indices.join(", ");
  return `${indices.length} point${indices.length === 1 ? "" : "s"} (${shown})`;
}

/** A point with its keys in the order a sweep gives them, whatever order its file held them in. */
function samePoint(p: SweepPoint): SweepPoint {
  return { policy: p.policy, size: p.size, label: p.label, references: p.references, faults: p.faults, missRatio: p.missRatio, majorFaults: p.majorFaults, killed: p.killed };
}
