/**
 * Trace replay through the whole simulated system: the trace's process runs
 * on a System (machine + EYN-OS VMM), every access going through the MMU,
 * the TLB and the kernel's fault handler, as the program's own accesses would.
 *
 * Two passes. The first streams the trace once: it surveys the pages (for
 * the layout mapper), records the reference string when OPT needs the
 * future, and spills text or gzip'd input as raw chunks (chunk-spill.ts:
 * in memory up to SPILL_MEMORY_BYTES, in a temporary file past that), so
 * the second pass — the replay proper — reads them back instead of
 * decompressing and parsing again.
 */

import * as os from "node:os";
import * as path from "node:path";
import { System, type SystemConfig, type SystemStats, type ProcessInfo, type FaultReport } from "../system.js";
import { readBinary } from "./binary-format.js";
import { readLackey } from "./lackey-reader.js";
import { ChunkSpillWriter, readSpill } from "./chunk-spill.js";
import { LayoutError, mapWideChunk, type LayoutMapping } from "./layout-mapper.js";
import { replayLayout } from "./layout-mapper.js";
import { replayRange, setUpRegions } from "./replay-range.js";
import { NO_DELTAS } from "./page-deltas.js";
import { readTrace } from "./read-trace.js";
import { straddlePage, type TraceChunk } from "./trace-chunk.js";
import type { TraceFormat } from "./trace-format.js";
import { TraceFuture } from "./trace-future.js";
import { choiceNeedsFuture } from "../policy-spec.js";
import { traceInput, type TraceInput, type TraceSource } from "./trace-input.js";
import { hostDue, yieldToHost } from "../host-yield.js";
import { emptySurvey, PAGE_COUNT, PAGE_FLAG, surveyChunk, type TraceSurvey } from "./trace-survey.js";

export { replayLayout } from "./layout-mapper.js";
export { replayRange, setUpRegions } from "./replay-range.js";
import { wideReferenceKeys } from "./wide-pages.js";
import { strictTlbFindings, type StrictTlbFindings } from "../scenario/result.js";

/** Spilled chunks kept in memory before the spill goes to a file (about 4.8 M accesses). */
const SPILL_MEMORY_BYTES = 32 << 20;
/**
 * Accesses replayed between two looks at the clock (host-yield.ts): a slice
 * ends there too, so a replay swapping at its slowest (some thousands of
 * accesses a second) still lets a signal in within a second.
 */
const SLICE_ACCESSES = 1024;

export interface ReplayOptions {
  /** Trace format, over what was detected when the trace was opened. */
  readonly format?: TraceFormat;
  /** The machine and kernel to replay on (policy "opt" gets the trace's future). */
  readonly system: SystemConfig;
  /** Called during the first pass with the bytes of the file read so far and its size. */
  readonly onSurveyProgress?: (bytesRead: number, fileBytes: number) => void;
  /** Called after each chunk of the replay pass with accesses done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Called once the process is set up (before any access), then `samples`
   * times evenly through the trace (the last after the last access, before
   * the process exits): the place to take samples for a report. Never
   * called per access. `accesses`: trace accesses replayed so far (the
   * System counts a straddling access as two).
   */
  readonly onSample?: (system: System, pid: number, accesses: number) => void;
  /** Number of `onSample` calls spread over the trace (default 100). */
  readonly samples?: number;
  /**
   * One timer tick (System.tick) after every `tickEvery` trace accesses: a
   * trace has no time, so N accesses stand for one tick. The kernel samples
   * working sets (and counts its thrashing window) by ticks. Default: no ticks.
   */
  readonly tickEvery?: number;
  /** Where the trace's brk heap starts (see LayoutOptions.brkStart); default: guessed. */
  readonly brkStart?: number;
  /** Directory for the temporary binary copy of a trace too large to keep in memory (default: the OS's). */
  readonly tempDir?: string;
}

export interface ReplayResult {
  readonly file: string;
  readonly format: TraceFormat;
  /** Access lines in the trace (I + L + S + M); `stats.accesses` says how many were replayed. */
  readonly accesses: number;
  /** Page references: accesses plus straddling accesses. */
  readonly references: number;
  readonly straddles: number;
  readonly byKind: { readonly I: number; readonly L: number; readonly S: number; readonly M: number };
  readonly distinctPages: number;
  readonly mapping: LayoutMapping;
  /** Counters at the end of the replay (the process has exited). */
  readonly stats: SystemStats;
  readonly process: ProcessInfo;
  /** A kernel panic, if the replay caused one. */
  readonly panic: FaultReport | null;
  /** Accesses served by a stale TLB entry (--strict-tlb), or null when strict mode is off. */
  readonly strictTlb: StrictTlbFindings | null;
  /** Wall-clock seconds of the first pass (survey) and of the replay pass. */
  readonly seconds: { readonly survey: number; readonly replay: number };
}

/**
 * Replays the trace `source` on a new System; never loads the file whole.
 * A stream input (a pipe, standard input) is read once: the replay pass reads the spill.
 */
export async function replayTrace(source: TraceSource, options: ReplayOptions): Promise<ReplayResult> {
  const input = await traceInput(source, options.format);
  let spill: ChunkSpillWriter | null = null;
  // OPT's reference string, spilled to a file of its own past its memory budget.
  const needsFuture = options.system.policy !== undefined && choiceNeedsFuture(options.system.policy);
  const future = needsFuture ? new TraceFuture({ spillPath: tempPath(options.tempDir) }) : undefined;
  try {
    // Only a plain binary file is worth reading twice rather than spilling.
    const direct = input.format === "binary" && !input.isStream && !input.gzip;
    spill = direct ? null : new ChunkSpillWriter(tempPath(options.tempDir), SPILL_MEMORY_BYTES);
    const t0 = performance.now();
    const survey = await firstPass(input, spill, future, options.onSurveyProgress);
    const t1 = performance.now();
    const system = System.create(future !== undefined ? { ...options.system, future } : options.system);
    try {
      const mapping = replayLayout(survey, options.brkStart, input.name);
      const pid = system.spawn();
      if (pid === null) throw new LayoutError("the kernel could not create the trace's address space (more --ram?)");
      const refused = setUpRegions(system, pid, mapping);
      if (refused !== null) throw new LayoutError(`the kernel refused to map the trace's ${refused} (more --ram?)`);
      const chunks = spill !== null ? readSpill(spill) : readBinary(input);
      const replayed = await replayPass(system, pid, chunks, mapping, future, survey.accesses, options);
      if (system.process(pid).status.state === "running") system.exit(pid, 0);
      const t2 = performance.now();
      const [I, L, S, M] = survey.byKind;
      return {
        file: input.name,
        format: input.format,
        accesses: survey.accesses,
        references: survey.references,
        straddles: survey.straddles,
        byKind: { I, L, S, M },
        distinctPages: survey.distinctPages,
        mapping,
        stats: traceStats(system.stats(), replayed, survey),
        process: system.process(pid),
        panic: system.panic,
        strictTlb: strictTlbFindings(system),
        seconds: { survey: (t1 - t0) / 1000, replay: (t2 - t1) / 1000 },
      };
    } finally {
      system.close();
    }
  } finally {
    spill?.release();
    future?.dispose();
    if (input !== source) await input.close();
  }
}

function tempPath(dir?: string): string {
  const base = dir ?? os.tmpdir();
  return path.join(base, `vmm386-replay-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.bin`);
}

/** Streams the trace once: survey, the reference string for OPT (if given a future to record it), optional binary spill. */
async function firstPass(
  input: TraceInput,
  writer: ChunkSpillWriter | null,
  future: TraceFuture | undefined,
  onSurveyProgress: ((bytesRead: number, fileBytes: number) => void) | undefined,
): Promise<TraceSurvey> {
  // A stream has no size to show progress against (fileBytes 0).
  let bytesRead = 0;
  const onFileBytes = onSurveyProgress ? (n: number) => onSurveyProgress((bytesRead += n), input.fileBytes) : undefined;
  const survey = emptySurvey();
  // The lackey reader surveys as it parses (one loop over the accesses fewer); other readers' chunks are surveyed here.
  const parsedAndSurveyed = input.format === "lackey";
  const chunks = parsedAndSurveyed ? readLackey(input, undefined, onFileBytes, survey) : readTrace(input, undefined, onFileBytes);
  try {
    for await (const chunk of chunks) {
      if (!parsedAndSurveyed) surveyChunk(survey, chunk);
      if (future) recordReferences(future, chunk, survey);
      writer?.write(chunk);
      if (hostDue()) await yieldToHost();
    }
  } finally {
    writer?.close();
  }
  future?.seal(PAGE_COUNT + survey.wide.count);
  return survey;
}

/**
 * Appends each access's page references (first page, then the second of a
 * straddle); a wide chunk's pages above 4 GiB as their survey keys.
 */
function recordReferences(future: TraceFuture, chunk: TraceChunk, survey: TraceSurvey): void {
  if (chunk.wide) {
    const keys = new Int32Array(2 * chunk.length);
    const n = wideReferenceKeys(chunk, survey.wide, PAGE_FLAG.TOUCHED, keys);
    for (let i = 0; i < n; i++) future.record(keys[i]);
    return;
  }
  for (let i = 0; i < chunk.length; i++) {
    const a = chunk.addr[i];
    future.record(a >>> 12);
    const second = straddlePage(a, chunk.size[i]);
    if (second >= 0) future.record(second);
  }
}

/**
 * The replay proper: every access of the trace's chunks through the System,
 * in slices that end where a tick or a sample is due, or after
 * SLICE_ACCESSES, letting the host in when due (a signal, the progress
 * bar). A tick comes before a sample due at the same access, so the sample
 * sees the working set it made.
 */
async function replayPass(
  system: System,
  pid: number,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  mapping: LayoutMapping,
  future: TraceFuture | undefined,
  total: number,
  options: ReplayOptions,
): Promise<number> {
  const every = Math.max(1, Math.ceil(total / Math.max(1, options.samples ?? 100)));
  const onSample = options.onSample;
  const tickEvery = options.tickEvery ?? Infinity;
  let done = 0;
  let nextSample = onSample ? every : Infinity;
  let nextTick = tickEvery;
  let alive = true;
  onSample?.(system, pid, 0);
  for await (const chunk of chunks) {
    let deltas = mapping.deltas;
    if (chunk.wide) {
      mapWideChunk(mapping, chunk);
      deltas = NO_DELTAS;
    }
    let from = 0;
    while (alive && from < chunk.length) {
      const to = Math.min(chunk.length, from + (Math.min(nextSample, nextTick) - done), from + SLICE_ACCESSES);
      const reached = replayRange(system, pid, chunk, from, to, deltas, future ?? null);
      alive = reached === to;
      done += reached - from;
      from = to;
      if (alive && done === nextTick) {
        system.tick();
        nextTick += tickEvery;
      }
      if (done >= nextSample) {
        onSample?.(system, pid, done);
        nextSample += every;
      }
      if (hostDue()) {
        options.onProgress?.(done, total);
        await yieldToHost();
      }
    }
    options.onProgress?.(done, total);
    if (!alive) break;
  }
  if (onSample && done !== nextSample - every) onSample(system, pid, done);
  return done;
}

/**
 * The System's counters with accesses and references as the trace counts
 * them (the System sees a straddling access as two): exact when the whole
 * trace was replayed; if the process died, the accesses attempted and the
 * System's count of references.
 */
function traceStats(stats: SystemStats, replayed: number, survey: TraceSurvey): SystemStats {
  const complete = replayed === survey.accesses;
  return { ...stats, accesses: replayed, references: complete ? survey.references : stats.references };
}
