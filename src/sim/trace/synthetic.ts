/**
 * Seeded synthetic traces, for measuring how replay scales: the same seed
 * gives the same accesses on every machine, so a benchmark can make its
 * traces (10^6 to 10^8 accesses) instead of shipping them.
 *
 * Patterns over `pages` data pages:
 *   uniform       every page equally likely;
 *   heavy-tailed  Zipf-like: the page of rank r with probability about
 *                 1/(r+1); ranks are scattered over the pages by a fixed
 *                 permutation, so the hot pages do not share page tables;
 *   mixed         each access uniform or heavy-tailed, half and half (the
 *                 trace of issue 8: 150,000 pages at 0x40000000);
 *   scan          a sequential sweep in 64-byte steps, wrapping around;
 *   loop          the pages in order, one access each, over and over (a
 *                 cyclic working set: LRU, CLOCK and FIFO fault on every
 *                 access once it exceeds memory).
 * A quarter of the accesses store (`writeRatio`), the rest load; each is 4
 * bytes inside one page.
 *
 * Layout, so the layout mapper sees a program: the trace opens with one
 * instruction fetch two pages below DATA_BASE (the program image), and the
 * data pages start at DATA_BASE (0x40000000) right after a one-page gap:
 * that makes them the program's brk heap, mapped to EYN-OS's 1 GiB heap
 * region. Pages past HEAP_SPAN go 4 MiB further on, a cluster of their own
 * that the mapper places in the 768 MiB mmap region; so up to about
 * 430,000 pages fit.
 */

import { Rng } from "../workload/rng.js";
import { openOutput } from "../output-file.js";
import { BinaryTraceWriter } from "./binary-format.js";
import { ByteSink } from "./byte-sink.js";
import { traceOutputKind } from "./convert.js";
import { DEFAULT_CHUNK_CAPACITY, TRACE_KIND, TraceChunk } from "./trace-chunk.js";

export const SYNTHETIC_PATTERNS = ["uniform", "heavy-tailed", "mixed", "scan", "loop"] as const;
export type SyntheticPattern = (typeof SYNTHETIC_PATTERNS)[number];

export interface SyntheticTraceSpec {
  readonly pattern: SyntheticPattern;
  /** Accesses in the trace, the opening instruction fetch included. */
  readonly accesses: number;
  /** Data pages the pattern ranges over (1..MAX_SYNTHETIC_PAGES). */
  readonly pages: number;
  readonly seed: number;
  /** Fraction of data accesses that store (default 0.25). */
  readonly writeRatio?: number;
}

/** Where the data pages start. */
export const DATA_BASE = 0x40000000;
/** Data pages placed contiguously from DATA_BASE (the heap); the rest follow after a gap. */
export const HEAP_SPAN = 240_000;
/** Pages between the heap part and the rest: more than the mapper's cluster gap. */
const SPLIT_GAP_PAGES = 1024;
/** Most data pages a synthetic trace may have: the heap part plus what the mmap region holds. */
export const MAX_SYNTHETIC_PAGES = HEAP_SPAN + 190_000;
/** The program image's one page, two below DATA_BASE (a gap page keeps the heap apart). */
const CODE_PAGE_ADDRESS = DATA_BASE - 2 * 4096;
/** Bytes between the accesses of a scan. */
const SCAN_STEP = 64;
/** Multiplier of the heavy-tailed permutation: a prime above any page count, so coprime with it. */
const SCATTER = 2147483647;

/** Byte address of data page `p`. */
export function dataPageAddress(p: number): number {
  return DATA_BASE + (p < HEAP_SPAN ? p : p + SPLIT_GAP_PAGES) * 4096;
}

/** Throws RangeError unless the spec describes a trace this generator can make. */
export function checkSyntheticSpec(spec: SyntheticTraceSpec): void {
  if (!(SYNTHETIC_PATTERNS as readonly string[]).includes(spec.pattern)) throw new RangeError(`unknown pattern "${spec.pattern}"`);
  if (!Number.isInteger(spec.accesses) || spec.accesses < 1) throw new RangeError(`accesses must be a whole number >= 1, got ${spec.accesses}`);
  if (!Number.isInteger(spec.pages) || spec.pages < 1 || spec.pages > MAX_SYNTHETIC_PAGES) {
    throw new RangeError(`pages must be a whole number in 1..${MAX_SYNTHETIC_PAGES}, got ${spec.pages}`);
  }
  const w = spec.writeRatio ?? 0.25;
  if (!(w >= 0 && w <= 1)) throw new RangeError(`writeRatio must be in 0..1, got ${w}`);
}

/**
 * The trace's accesses as chunks of up to `capacity`; the chunk object is
 * reused (consume each before asking for the next), so any length costs the
 * same memory.
 */
export function* syntheticChunks(spec: SyntheticTraceSpec, capacity = DEFAULT_CHUNK_CAPACITY): Generator<TraceChunk> {
  checkSyntheticSpec(spec);
  const source = new SyntheticSource(spec);
  const chunk = new TraceChunk(capacity);
  chunk.addr[0] = CODE_PAGE_ADDRESS | 0;
  chunk.kind[0] = TRACE_KIND.FETCH;
  chunk.size[0] = 4;
  chunk.length = 1;
  for (let left = spec.accesses - 1; left > 0 || chunk.length > 0; ) {
    const n = Math.min(left, capacity - chunk.length);
    source.fill(chunk, chunk.length, n);
    chunk.length += n;
    left -= n;
    yield chunk;
    chunk.length = 0;
  }
}

/**
 * Writes the trace to `path` in the binary format (see binary-format.ts),
 * under a temporary name renamed at the end; an existing file is replaced
 * only if it is an earlier vmm386 binary trace (or with `force`).
 */
export async function writeSyntheticTrace(path: string, spec: SyntheticTraceSpec, force = false): Promise<void> {
  checkSyntheticSpec(spec);
  const out = openOutput(path, { kind: traceOutputKind("binary"), force });
  try {
    const writer = new BinaryTraceWriter(new ByteSink(out, false));
    for (const chunk of syntheticChunks(spec)) await writer.write(chunk);
    await writer.close();
    await out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** The data accesses of a spec, in order. */
class SyntheticSource {
  private readonly rng: Rng;
  private readonly pattern: SyntheticPattern;
  private readonly pages: number;
  private readonly logPages: number;
  /** Stores per 2^32: an access stores when a draw falls below it. */
  private readonly storeBelow: number;
  /** Position of a scan (bytes into the data) or a loop (pages). */
  private position = 0;

  constructor(spec: SyntheticTraceSpec) {
    this.rng = new Rng(spec.seed);
    this.pattern = spec.pattern;
    this.pages = spec.pages;
    this.logPages = Math.log(spec.pages + 1);
    this.storeBelow = Math.round((spec.writeRatio ?? 0.25) * 2 ** 32);
  }

  /** Writes `n` accesses into `chunk` from index `from`. */
  fill(chunk: TraceChunk, from: number, n: number): void {
    for (let i = from; i < from + n; i++) {
      const draw = this.rng.nextU32();
      chunk.kind[i] = draw < this.storeBelow ? TRACE_KIND.STORE : TRACE_KIND.LOAD;
      chunk.size[i] = 4;
      chunk.addr[i] = this.nextAddress() | 0;
    }
  }

  private nextAddress(): number {
    switch (this.pattern) {
      case "uniform":
        return this.inPage(this.rng.below(this.pages));
      case "heavy-tailed":
        return this.inPage(this.heavyTailedPage());
      case "mixed":
        return this.inPage((this.rng.nextU32() & 1) === 0 ? this.rng.below(this.pages) : this.heavyTailedPage());
      case "scan":
        return this.scanAddress();
      case "loop":
        return this.loopAddress();
    }
  }

  /** A random 4-byte-aligned word of data page `p`. */
  private inPage(p: number): number {
    return dataPageAddress(p) + (this.rng.nextU32() & 0xffc);
  }

  /** Rank r = floor((pages + 1)^u) - 1 for u uniform in [0, 1): density about 1/(r + 1); scattered. */
  private heavyTailedPage(): number {
    const rank = Math.min(this.pages - 1, Math.floor(Math.exp(this.rng.nextFloat() * this.logPages)) - 1);
    return (rank * SCATTER) % this.pages;
  }

  private scanAddress(): number {
    const at = this.position;
    this.position = at + SCAN_STEP === this.pages * 4096 ? 0 : at + SCAN_STEP;
    return dataPageAddress(Math.floor(at / 4096)) + (at % 4096);
  }

  private loopAddress(): number {
    const p = this.position;
    this.position = p + 1 === this.pages ? 0 : p + 1;
    return dataPageAddress(p);
  }
}
