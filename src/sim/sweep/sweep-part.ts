/**
 * A sweep part: the file one shard of a sweep leaves (`sweep --shard I/N
 * --out FILE`) for `sweep-merge` to put together with the others. It holds
 * a format tag and version, the vmm386 that ran it, the grid's fingerprint
 * (grid-fingerprint.ts), the shard, the grid's point count, the header of
 * the sweep's result (title, axis, policies, sizes, machine), each of its
 * points' index and full result, and a digest of all that. Reading one
 * checks it against the published schema (schema/sweep-part.schema.json)
 * and its digest, so a truncated, damaged or hand-edited part is refused by
 * name instead of merging into a wrong curve.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { InputError } from "../../machine/input-error.js";
import type { OutputKind } from "../output-file.js";
import { packageFile, packageVersion } from "../package-files.js";
import { requirePolicyPlugins } from "../policy-spec.js";
import { canonicalJson, gridFingerprint } from "./grid-fingerprint.js";
import { shardIndices, type Shard } from "./shard.js";
import { inThisThread, runSweepJobs, sweepHeader, sweepJobs, type JobRunner, type SweepHeader, type SweepPlan, type SweepPoint } from "./sweep.js";

export const SWEEP_PART_FORMAT = "vmm386-sweep-part";
export const SWEEP_PART_VERSION = 1;

export interface SweepPart {
  readonly format: typeof SWEEP_PART_FORMAT;
  readonly version: typeof SWEEP_PART_VERSION;
  /** The version of the vmm386 that ran the points. */
  readonly vmm386: string;
  /** The grid's fingerprint (grid-fingerprint.ts). */
  readonly grid: string;
  readonly shard: Shard;
  /** Points in the whole grid. */
  readonly total: number;
  readonly sweep: SweepHeader;
  /** The shard's points, ascending by index. */
  readonly points: readonly { readonly index: number; readonly result: SweepPoint }[];
  /** SHA-256 of the other keys as canonical JSON. */
  readonly digest: string;
}

/** An existing file `--out` may replace without --force: an earlier part. */
export const SWEEP_PART: OutputKind = {
  noun: "vmm386 sweep part",
  recognise: (head) => new RegExp(`^\\{\\s*"format":\\s*"${SWEEP_PART_FORMAT}"`).test(head.toString("utf8")),
};

/** Runs the points of `shard` of the plan's grid; the part that holds them. */
export async function runSweepShard(plan: SweepPlan, shard: Shard, runJobs: JobRunner = inThisThread, onProgress?: (done: number, total: number) => void): Promise<SweepPart> {
  // A plugin is loaded (or refused by name) before its file is read for the fingerprint.
  await requirePolicyPlugins(plan.policies);
  const grid = await gridFingerprint(plan);
  const all = sweepJobs(plan);
  const jobs = shardIndices(all.length, shard).map((i) => all[i]);
  const results = await runSweepJobs(plan, jobs, runJobs, onProgress);
  const points = jobs.map((job, k) => ({ index: job.index, result: results[k] }));
  const body = { format: SWEEP_PART_FORMAT, version: SWEEP_PART_VERSION, vmm386: packageVersion(), grid, shard, total: all.length, sweep: sweepHeader(plan), points } as const;
  return { ...body, digest: partDigest(body) };
}

/** The part as its file holds it: JSON, the format tag first (SWEEP_PART recognises it by that). */
export function sweepPartText(part: SweepPart): string {
  return `${JSON.stringify(part, null, 1)}\n`;
}

/** Reads and checks the part in `file`; an InputError naming the file if it is none, or is damaged. */
export function readSweepPart(file: string): SweepPart {
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const looksLikePart = SWEEP_PART.recognise(Buffer.from(text.slice(0, 200)), false);
    throw new InputError(looksLikePart ? `a truncated or corrupt sweep part (${(e as Error).message})` : "not a vmm386 sweep part (not JSON)", file);
  }
  return checkPart(data, file);
}

/** `data` as a SweepPart, or an InputError naming `file` and what is wrong. */
function checkPart(data: unknown, file: string): SweepPart {
  const tagged = data !== null && typeof data === "object" && (data as { format?: unknown }).format === SWEEP_PART_FORMAT;
  if (!tagged) throw new InputError(`not a vmm386 sweep part (no "format": "${SWEEP_PART_FORMAT}")`, file);
  const version = (data as { version?: unknown }).version;
  if (version !== SWEEP_PART_VERSION) throw new InputError(`sweep part format version ${JSON.stringify(version)}; this vmm386 reads version ${SWEEP_PART_VERSION}`, file);
  const validate = validator();
  if (!validate(data)) {
    const e = validate.errors?.[0];
    throw new InputError(`a corrupt sweep part: ${e === undefined ? "does not match the schema" : `${e.instancePath || "the top level"} ${e.message ?? "is invalid"}`}`, file);
  }
  const { digest, ...body } = data as SweepPart;
  if (body.shard.index >= body.shard.count) throw new InputError(`a corrupt sweep part: shard ${body.shard.index}/${body.shard.count}`, file);
  if (partDigest(body) !== digest) throw new InputError("a corrupt sweep part: its content does not match its digest (damaged or edited)", file);
  return data as SweepPart;
}

function partDigest(body: Omit<SweepPart, "digest">): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

let compiled: ValidateFunction | undefined;

/** The compiled validator of the published schema (built once, by the merge only). */
function validator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(packageFile("schema/sweep-part.schema.json"), "utf8")) as object;
    compiled = new Ajv({ strict: true }).compile(schema);
  }
  return compiled;
}
