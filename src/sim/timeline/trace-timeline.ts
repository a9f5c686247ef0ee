/**
 * A trace as a Timeline: its accesses, read once into memory, replayed
 * through a fresh System exactly as `vmm386 replay` does (the same layout,
 * regions and access loop, replay-range.ts), one access a move. The kernel
 * counts a straddling access as two references; events are stamped with the
 * access they happened in.
 */
import { needsFuture } from "../../kernel/replacement/index.js";
import { LayoutError, mapWideChunk, type LayoutMapping } from "../trace/layout-mapper.js";
import { readLackey } from "../trace/lackey-reader.js";
import { replayLayout } from "../trace/layout-mapper.js";
import { replayRange, setUpRegions } from "../trace/replay-range.js";
import { deltaOf, NO_DELTAS } from "../trace/page-deltas.js";
import { TraceChunk, referencesOf, straddlePage } from "../trace/trace-chunk.js";
import type { TraceFormat } from "../trace/trace-format.js";
import { readTrace } from "../trace/read-trace.js";
import { openTraceInput } from "../trace/trace-input.js";
import { TraceFormatError } from "../trace/trace-error.js";
import { emptySurvey, surveyChunk, type TraceSurvey } from "../trace/trace-survey.js";
import { builtinPolicy } from "../policy-spec.js";
import { System, type SystemConfig } from "../system.js";
import type { MoveAccess } from "./quiz.js";
import type { Stepper } from "./stepper.js";
import { Timeline } from "./timeline.js";
import { histogramPoints, type MrcResult } from "../mrc/curve.js";
import { LruStack } from "../mrc/lru-stack.js";
import { optHistogram } from "../mrc/opt-stack.js";
import { PageString } from "../next-use.js";

/** A trace read into memory: its accesses in chunks (already in EYN-OS addresses for a 64-bit one), and where they go. */
export interface LoadedTrace {
  readonly name: string;
  readonly format: TraceFormat;
  readonly chunks: readonly TraceChunk[];
  readonly accesses: number;
  readonly survey: TraceSurvey;
  readonly mapping: LayoutMapping;
}

/** Reads the trace named `name` (a host path, or a page's upload in memory) whole; `onChunk` hears accesses read so far. */
export async function loadTrace(name: string, onChunk?: (accesses: number) => void): Promise<LoadedTrace> {
  const input = await openTraceInput(name);
  const format = input.format;
  const survey = emptySurvey();
  const surveyed = format === "lackey";
  const chunks: TraceChunk[] = [];
  let accesses = 0;
  try {
    for await (const chunk of surveyed ? readLackey(input, undefined, undefined, survey) : readTrace(input)) {
      if (!surveyed) surveyChunk(survey, chunk);
      chunks.push(copyChunk(chunk));
      accesses += chunk.length;
      onChunk?.(accesses);
    }
  } finally {
    await input.close();
  }
  if (accesses === 0) throw new TraceFormatError(name, 0, "no accesses in the trace");
  const mapping = replayLayout(survey, undefined, name);
  for (const c of chunks) if (c.wide) mapWideChunk(mapping, c);
  return { name, format, chunks, accesses, survey, mapping };
}

/** A copy of the reader's chunk (readers refill theirs), trimmed to its accesses. */
function copyChunk(c: TraceChunk): TraceChunk {
  const out = new TraceChunk(Math.max(1, c.length));
  out.addr.set(c.addr.subarray(0, c.length));
  out.kind.set(c.kind.subarray(0, c.length));
  out.size.set(c.size.subarray(0, c.length));
  if (c.wide) {
    out.addrHigh.set(c.addrHigh.subarray(0, c.length));
    out.wide = true;
  }
  out.length = c.length;
  return out;
}

/** Accesses a move budget is cut into, so that an event's access is found by a short walk. */
const SLICE = 4096;

/** A trace replayed move by move (one access each) on its own System. */
export class TraceStepper implements Stepper {
  readonly kind = "trace";
  readonly system: System;
  private readonly pid: number;
  private chunk = 0;
  private offset = 0;
  private done = 0;
  private dead = false;
  /** Where the slice under way started: its access, the System's reference count, its chunk and offset; -1 between slices. */
  private sliceMove = -1;
  private sliceRefs = 0;
  private sliceChunk = 0;
  private sliceOffset = 0;

  constructor(
    private readonly trace: LoadedTrace,
    config: SystemConfig,
  ) {
    this.system = System.create(config);
    try {
      const pid = this.system.spawn();
      if (pid === null) throw new LayoutError("the kernel could not create the trace's address space (more --ram?)");
      const refused = setUpRegions(this.system, pid, trace.mapping);
      if (refused !== null) throw new LayoutError(`the kernel refused to map the trace's ${refused} (more --ram?)`);
      this.pid = pid;
    } catch (e) {
      this.system.close();
      throw e;
    }
  }

  get moves(): number {
    return this.done;
  }

  get steps(): number {
    return this.done;
  }

  get finished(): boolean {
    return this.dead || this.done >= this.trace.accesses || this.system.panic !== null;
  }

  /** The access under way: found by walking the slice's accesses until their references reach the System's count. */
  get currentMove(): number {
    if (this.sliceMove < 0) return this.done + 1;
    let refs = this.system.accessCount - this.sliceRefs;
    let c = this.sliceChunk;
    let i = this.sliceOffset;
    let move = this.sliceMove;
    while (c < this.trace.chunks.length) {
      const chunk = this.trace.chunks[c];
      if (i >= chunk.length) {
        c++;
        i = 0;
        continue;
      }
      move++;
      refs -= referencesOf(chunk.addr[i], chunk.size[i]);
      if (refs <= 0) return move;
      i++;
    }
    return move;
  }

  advance(budget: number): number {
    let made = 0;
    while (made < budget && !this.finished) made += this.slice(Math.min(SLICE, budget - made));
    return made;
  }

  finishStep(): number {
    return this.advance(1);
  }

  lastAccessIn(move: number): MoveAccess | null {
    if (move !== this.done || move === 0) return null;
    const { chunk, index } = this.locate(move - 1);
    const kind = chunk.kind[index];
    const a = chunk.addr[index];
    const delta = chunk.wide ? 0 : deltaOf(this.trace.mapping.deltas, a);
    return { pid: this.pid, va: (a + delta) >>> 0, write: kind >= 2 }; // TRACE_KIND: I, L read; S, M write
  }

  close(): void {
    this.system.close();
  }

  /** Replays up to `n` accesses within the current chunk; the accesses made. */
  private slice(n: number): number {
    while (this.offset >= this.trace.chunks[this.chunk].length) {
      this.chunk++;
      this.offset = 0;
    }
    const chunk = this.trace.chunks[this.chunk];
    const to = Math.min(chunk.length, this.offset + n);
    this.sliceMove = this.done;
    this.sliceRefs = this.system.accessCount;
    this.sliceChunk = this.chunk;
    this.sliceOffset = this.offset;
    const reached = replayRange(this.system, this.pid, chunk, this.offset, to, chunk.wide ? NO_DELTAS : this.trace.mapping.deltas, null);
    this.sliceMove = -1;
    if (reached !== to) this.dead = true;
    const made = reached - this.offset;
    this.offset = reached;
    this.done += made;
    return made;
  }

  /** The chunk and index of access `n` (0-based). */
  private locate(n: number): { chunk: TraceChunk; index: number } {
    let left = n;
    for (const chunk of this.trace.chunks) {
      if (left < chunk.length) return { chunk, index: left };
      left -= chunk.length;
    }
    const last = this.trace.chunks[this.trace.chunks.length - 1];
    return { chunk: last, index: last.length - 1 };
  }
}

/** A timeline over a loaded trace on the machine of `config` (OPT is refused: its future needs the trace recorded first). */
export function traceTimeline(trace: LoadedTrace, config: SystemConfig): Timeline {
  const policy = config.policy === undefined ? null : builtinPolicy(config.policy);
  if (policy !== null && needsFuture(policy)) throw new TraceFormatError(trace.name, 0, `policy ${policy} needs the trace's future; run it with vmm386 replay --policy ${policy}`);
  return new Timeline(() => new TraceStepper(trace, config));
}

/** The trace's LRU and OPT miss-ratio curves, from its page reference string (a straddle is two references). */
export function traceMissRatioCurves(trace: LoadedTrace): MrcResult {
  const t0 = performance.now();
  const pages = new PageString(trace.accesses);
  const numbers = new Map<number, number>();
  const push = (page: number): void => {
    let n = numbers.get(page);
    if (n === undefined) numbers.set(page, (n = numbers.size));
    pages.push(n);
  };
  for (const c of trace.chunks) {
    for (let i = 0; i < c.length; i++) {
      const a = c.addr[i];
      push(a >>> 12);
      const second = straddlePage(a, c.size[i]);
      if (second >= 0) push(second);
    }
  }
  const string = pages.view();
  const sizes = Math.max(1, Math.min(numbers.size, MAX_CURVE_SIZES));
  const lru = new LruStack();
  lru.feed(string);
  return {
    trace: trace.name,
    format: trace.format,
    accesses: trace.accesses,
    references: string.length,
    distinctPages: numbers.size,
    curves: [
      { policy: "lru", method: "exact", points: histogramPoints(lru.histogram(), sizes, string.length) },
      { policy: "opt", method: "exact", points: histogramPoints(optHistogram([string]), sizes, string.length) },
    ],
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Memory sizes of a curve at most (frames). */
const MAX_CURVE_SIZES = 4096;
