/**
 * `vmm386 mrc` as a library: a trace's miss-ratio curves from one pass over
 * its page reference string (the traces README's string, as `replay
 * --policy-only` sees it).
 *
 * Whatever is asked for is fed from the same pass: the exact LRU stack
 * (lru-stack.ts), SHARDS (shards.ts), the sampled pages for miniature
 * simulations (minisim.ts: their string, or their accesses in a temporary
 * binary trace for the VMM), and the whole string when OPT's priority
 * stack or a check by full simulation needs it afterwards.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policyLabel, requirePolicyPlugins, type PolicyChoice } from "../policy-spec.js";
import { PageString } from "../next-use.js";
import { replayAtFrameCounts } from "../policy-replay.js";
import type { SystemConfig } from "../system.js";
import { openFileOutput, type OutputFile } from "../output-file.js";
import { BinaryTraceWriter } from "../trace/binary-format.js";
import { ByteSink } from "../trace/byte-sink.js";
import { traceOutputKind } from "../trace/convert.js";
import { readTrace } from "../trace/read-trace.js";
import { TraceChunk } from "../trace/trace-chunk.js";
import { TraceFormatError } from "../trace/trace-error.js";
import { InputError } from "../../machine/input-error.js";
import type { TraceFormat } from "../trace/trace-format.js";
import { traceInput, type OnFileBytes, type TraceSource } from "../trace/trace-input.js";
import { WidePages, pageReferences } from "../trace/wide-pages.js";
import { curveError, curveName, histogramPoints, plainHistogram, point, type MrcCurve, type MrcResult } from "./curve.js";
import { LruStack } from "./lru-stack.js";
import { miniSimulate, miniSimulateVmm, sampleAccesses, vmmMissRatio, type MiniCurve } from "./minisim.js";
import { optHistogram } from "./opt-stack.js";
import { Shards, SHARDS_HEAD_DEPTH, type ShardsOptions } from "./shards.js";
import { rateThreshold, samplePages } from "./spatial-sample.js";

/** The policies with an exact one-pass curve: stack algorithms. */
export const STACK_POLICIES = ["lru", "opt"] as const;
export type StackPolicy = (typeof STACK_POLICIES)[number];

export function isStackPolicy(name: string): name is StackPolicy {
  return (STACK_POLICIES as readonly string[]).includes(name);
}

export interface MinisimOptions {
  /** Sampling rate in (0, 1]. */
  readonly rate: number;
  readonly seed?: number;
  readonly policies: readonly PolicyChoice[];
  /** Memory sizes (frames) of the curve. */
  readonly sizes: readonly number[];
  /** Through the full VMM on this machine (policy and frame cap set per point); absent: the policy alone. */
  readonly vmm?: SystemConfig;
}

export interface MrcOptions {
  /** Trace format; detected when absent. */
  readonly format?: TraceFormat;
  /** Exact curves of stack policies. */
  readonly exact?: readonly StackPolicy[];
  readonly shards?: ShardsOptions;
  readonly minisim?: MinisimOptions;
  /** Also compute what each estimate estimates (exact LRU; full simulations at MINISIM's sizes) and the estimate's error. */
  readonly check?: boolean;
  /** Hears of every read from the file (compressed bytes for gzip), for progress bars. */
  readonly onFileBytes?: OnFileBytes;
  /** Directory for MINISIM's temporary trace through the VMM (default: the OS's). */
  readonly tempDir?: string;
}

/** The curves of the trace `source`, from one pass over it (plus, for a VMM check, a replay per size). */
export async function profileTrace(source: TraceSource, options: MrcOptions): Promise<MrcResult> {
  const started = performance.now();
  await requirePolicyPlugins(options.minisim?.policies);
  const input = await traceInput(source, options.format);
  const file = input.name;
  const format = input.format;
  const pass = new ProfilePass(options);
  try {
    for await (const chunk of readTrace(input, undefined, options.onFileBytes)) {
      // The VMM check replays a sampled copy in vmm386's binary format, which holds 32-bit addresses.
      if (chunk.wide && !pass.takesWideAddresses()) throw new TraceFormatError(input.name, 0, "a 64-bit program's trace: the MINISIM check through the VMM takes 32-bit traces");
      await pass.add(chunk);
    }
    await pass.finish();
    const curves = await buildCurves(file, pass, options);
    return {
      trace: file,
      format,
      accesses: pass.accesses,
      references: pass.references,
      distinctPages: pass.distinctPages(),
      curves,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    // A page number past what a curve can hold (a library's limit, not the trace's format): named by the trace it came from.
    if (e instanceof RangeError) throw new InputError(e.message, input.name);
    throw e;
  } finally {
    pass.dispose();
    if (input !== source) await input.close();
  }
}

/** The consumers of the one pass over the page reference string. */
class ProfilePass {
  accesses = 0;
  references = 0;
  readonly lru: LruStack | null;
  readonly shards: Shards | null;
  /** The whole string (OPT, or a policy-only check of MINISIM). */
  readonly whole: PageString | null;
  /** MINISIM's sampled pages' references (policy-only). */
  readonly sampled: PageString | null;
  /** MINISIM's sampled accesses (VMM): a temporary binary trace, and its writer until it is complete. */
  readonly sampledTrace: string | null;
  private readonly output: OutputFile | null;
  private readonly writer: BinaryTraceWriter | null;
  private committed = false;
  private sampledChunk = new TraceChunk(0);
  private readonly threshold: number;
  private readonly seed: number;
  /** Pages seen, when no LRU stack counts them (below 4 GiB; `wide` numbers those above). */
  private readonly seen: Uint8Array | null;
  /** A 64-bit trace's pages above 4 GiB, numbered for the reference string (wide-pages.ts). */
  private readonly wide = new WidePages();
  private refs = new Int32Array(0);
  private scratch = new Int32Array(0);

  constructor(options: MrcOptions) {
    const exact = options.exact ?? [];
    const mini = options.minisim;
    this.lru = exact.includes("lru") || (options.shards !== undefined && options.check === true) ? new LruStack() : null;
    this.shards = options.shards === undefined ? null : new Shards(options.shards);
    const checkByPolicy = mini !== undefined && mini.vmm === undefined && options.check === true;
    this.whole = exact.includes("opt") || checkByPolicy ? new PageString(1 << 16) : null;
    this.sampled = mini === undefined ? null : new PageString(1 << 12);
    this.threshold = mini === undefined ? 0 : rateThreshold(mini.rate);
    this.seed = mini?.seed ?? 0;
    this.sampledTrace = mini?.vmm === undefined ? null : tempTrace(options.tempDir);
    this.output = this.sampledTrace === null ? null : openFileOutput(this.sampledTrace, { kind: traceOutputKind("binary") });
    this.writer = this.output === null ? null : new BinaryTraceWriter(new ByteSink(this.output, false));
    this.seen = this.lru === null ? new Uint8Array(1 << 20) : null;
  }

  async add(chunk: TraceChunk): Promise<void> {
    this.accesses += chunk.length;
    if (this.refs.length < 2 * chunk.length) this.refs = new Int32Array(2 * chunk.length);
    const refs = pageReferences(chunk, this.refs, this.wide);
    this.references += refs.length;
    this.lru?.feed(refs);
    this.shards?.feed(refs);
    this.whole?.append(refs);
    if (this.seen !== null) markSeen(this.seen, refs);
    if (this.sampled !== null) {
      if (this.scratch.length < refs.length) this.scratch = new Int32Array(this.refs.length);
      this.sampled.append(this.scratch.subarray(0, samplePages(refs, this.threshold, this.seed, this.scratch, 0)));
    }
    if (this.writer !== null) await this.writeSampled(chunk);
  }

  private async writeSampled(chunk: TraceChunk): Promise<void> {
    if (this.sampledChunk.capacity < chunk.length) this.sampledChunk = new TraceChunk(chunk.length);
    sampleAccesses(chunk, this.threshold, this.seed, this.sampledChunk);
    await (this.writer as BinaryTraceWriter).write(this.sampledChunk);
  }

  async finish(): Promise<void> {
    if (this.writer === null || this.output === null) return;
    await this.writer.close();
    await this.output.commit();
    this.committed = true;
  }

  /** False when the pass writes a sampled copy of the trace in vmm386's (32-bit) binary format. */
  takesWideAddresses(): boolean {
    return this.writer === null;
  }

  distinctPages(): number {
    if (this.lru !== null) return this.lru.depth;
    let n = this.wide.count;
    for (const s of this.seen as Uint8Array) n += s;
    return n;
  }

  /** Removes the temporary trace (whole or not): only what this pass created. */
  dispose(): void {
    this.output?.abort();
    if (this.committed && this.sampledTrace !== null) fs.rmSync(this.sampledTrace, { force: true });
  }
}

function markSeen(seen: Uint8Array, refs: Int32Array): void {
  // A key of a page above 4 GiB falls past the array: those are counted by the pass's WidePages.
  for (let i = 0; i < refs.length; i++) seen[refs[i]] = 1;
}

function tempTrace(dir?: string): string {
  return path.join(dir ?? os.tmpdir(), `vmm386-minisim-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.bin`);
}

async function buildCurves(file: string, pass: ProfilePass, options: MrcOptions): Promise<MrcCurve[]> {
  const curves: MrcCurve[] = [];
  const n = pass.references;
  const lru = pass.lru === null ? null : lruCurve(pass.lru, n);
  if (lru !== null) curves.push(lru);
  if ((options.exact ?? []).includes("opt")) curves.push(optCurve(pass.whole as PageString, n));
  if (pass.shards !== null) curves.push(shardsCurve(pass.shards, options.shards as ShardsOptions, lru, n));
  if (options.minisim !== undefined) curves.push(...(await minisimCurves(file, pass, options.minisim, options.check === true, options.format)));
  return curves;
}

function lruCurve(stack: LruStack, references: number): MrcCurve {
  const h = stack.histogram();
  return { policy: "lru", method: "exact", points: histogramPoints(h, stack.depth, references), histogram: plainHistogram(h) };
}

function optCurve(whole: PageString, references: number): MrcCurve {
  const h = optHistogram([whole.view()]);
  return { policy: "opt", method: "exact", points: histogramPoints(h, h.counts.length - 1, references), histogram: plainHistogram(h) };
}

function shardsCurve(shards: Shards, options: ShardsOptions, exact: MrcCurve | null, references: number): MrcCurve {
  const h = shards.histogram();
  const maxSize = exact !== null ? exact.points.length : Math.max(1, Math.round(h.cold), h.counts.length - 1);
  const points = histogramPoints(h, maxSize, references);
  return {
    policy: "lru",
    method: "shards",
    points,
    histogram: plainHistogram(h),
    sampling: {
      mode: options.maxPages === undefined ? "fixed-rate" : "fixed-size",
      rate: shards.rate,
      ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
      seed: options.seed ?? 0,
      headDepth: options.headDepth ?? SHARDS_HEAD_DEPTH,
      sampledReferences: shards.sampledReferences,
      sampledPages: shards.sampledPages,
    },
    ...(exact === null ? {} : { error: curveError(points, exact.points, "lru exact") }),
  };
}

async function minisimCurves(file: string, pass: ProfilePass, o: MinisimOptions, check: boolean, format?: TraceFormat): Promise<MrcCurve[]> {
  const curves: MrcCurve[] = [];
  const n = pass.references;
  const sampled = (pass.sampled as PageString).view();
  const sampling = { mode: "fixed-rate" as const, rate: o.rate, seed: o.seed ?? 0, sampledReferences: sampled.length, sampledPages: new Set(sampled).size };
  for (const policy of o.policies) {
    const mini: MiniCurve =
      o.vmm === undefined
        ? miniSimulate(sampled, n, policy, o.sizes, o.rate)
        : await miniSimulateVmm(pass.sampledTrace as string, n, policy, o.sizes, o.rate, o.vmm);
    const vmm = o.vmm === undefined ? {} : { vmm: true };
    const full = check ? await fullSimulation(file, format, pass, policy, o) : null;
    curves.push({
      policy: policyLabel(policy),
      method: "minisim",
      ...vmm,
      points: mini.points,
      sampling,
      skippedSizes: mini.skippedSizes,
      ...(full === null ? {} : { error: curveError(mini.points, full.points, curveName(full)) }),
    });
    if (full !== null) curves.push(full);
  }
  return curves;
}

/** The policy simulated at every MINISIM size on the whole trace: what MINISIM estimates. */
async function fullSimulation(file: string, format: TraceFormat | undefined, pass: ProfilePass, policy: PolicyChoice, o: MinisimOptions): Promise<MrcCurve> {
  const n = pass.references;
  const points = [];
  if (o.vmm === undefined) {
    const results = replayAtFrameCounts((pass.whole as PageString).view(), o.sizes, { policy });
    for (const [i, size] of o.sizes.entries()) points.push(point(size, results[i].misses, n));
  } else {
    for (const size of o.sizes) points.push(point(size, (await vmmMissRatio(file, { ...o.vmm, policy, userFrames: size }, format)) * n, n));
  }
  return { policy: policyLabel(policy), method: "simulation", ...(o.vmm === undefined ? {} : { vmm: true }), points };
}
