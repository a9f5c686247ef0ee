/**
 * libCacheSim's binary page strings, so its users' traces replay here and
 * vmm386's replay in libCacheSim:
 *
 *   oracleGeneral  24-byte records: u32 clock time, u64 object id, u32 size,
 *                  i64 next access (1-based position of the next request to
 *                  the same object, -1 if none), little-endian, no header
 *   u64            one u64 object id per request (its binary reader with
 *                  `-t "format=<Q,obj-id-col=1"`)
 *
 * An object id is a page number; each record is one page reference (a
 * one-byte load at the start of that page). On reading, time, size and the
 * next-access field are not used: vmm386 computes next uses itself (OPT).
 * The writer produces what libCacheSim's traceConv writes from a text page
 * string (`-t obj-id-is-num=1 --ignore-obj-size 1`): time 0, size 1.
 */

import type { ByteSink } from "./byte-sink.js";
import { RECORD_LAYOUT, type RecordFormat } from "./libcachesim-layout.js";
import { TRACE_KIND, TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";
import { traceInput, type ExactInput, type OnFileBytes, type TraceSource } from "./trace-input.js";
import { TraceFormatError, streamError } from "./trace-error.js";
import { PAGE_COUNT } from "./trace-survey.js";
import { NEVER } from "../next-use.js";

export { RECORD_LAYOUT, type RecordFormat } from "./libcachesim-layout.js";

/** Records decoded per read. */
const RECORDS_PER_READ = 16384;

/** Streams a libCacheSim binary page string (plain or gzip) as chunks of one-byte loads; the chunk is reused. */
export async function* readRecords(
  source: TraceSource,
  format: RecordFormat,
  capacity = DEFAULT_CHUNK_CAPACITY,
  onFileBytes?: OnFileBytes,
): AsyncGenerator<TraceChunk> {
  const traced = await traceInput(source, format);
  const path = traced.name;
  const { bytes, idOffset } = RECORD_LAYOUT[format];
  const chunk = new TraceChunk(Math.max(capacity, RECORDS_PER_READ));
  const stage = new Uint8Array(bytes * RECORDS_PER_READ);
  const words = new Uint32Array(stage.buffer);
  let input: ExactInput | null = null;
  let records = 0;
  try {
    input = traced.exact(onFileBytes);
    for (;;) {
      const got = await input.read(stage, stage.length);
      const n = Math.floor(got / bytes);
      if (chunk.length + n > chunk.capacity) {
        yield chunk;
        chunk.length = 0;
      }
      const bad = decodeIds(words, n, bytes >>> 2, idOffset >>> 2, chunk);
      if (bad >= 0) throw badId(path, format, records + bad, words, (bad * bytes + idOffset) >>> 2);
      records += n;
      if (got % bytes !== 0) {
        throw new TraceFormatError(path, 0, `truncated: ${got % bytes} bytes after record ${records} (${format} records are ${bytes} bytes)`);
      }
      if (got < stage.length) break;
    }
  } catch (e) {
    throw streamError(path, e);
  } finally {
    await input?.close();
  }
  if (chunk.length > 0) yield chunk;
}

/** Appends `n` records' object ids to the chunk as page loads; returns the index of the first id that is no page number, or -1. */
function decodeIds(words: Uint32Array, n: number, stride: number, at: number, chunk: TraceChunk): number {
  const base = chunk.length;
  const { addr, kind, size } = chunk;
  for (let r = 0, w = at; r < n; r++, w += stride) {
    const lo = words[w];
    if (words[w + 1] !== 0 || lo >= PAGE_COUNT) return r;
    addr[base + r] = lo << 12;
    kind[base + r] = TRACE_KIND.LOAD;
    size[base + r] = 1;
  }
  chunk.length = base + n;
  return -1;
}

function badId(path: string, format: RecordFormat, index: number, words: Uint32Array, w: number): TraceFormatError {
  const id = (BigInt(words[w + 1]) << 32n) | BigInt(words[w]);
  const where = `record ${index + 1} (byte ${index * RECORD_LAYOUT[format].bytes})`;
  return new TraceFormatError(path, 0, `${where}: object id ${id} is not a page number of a 32-bit address space (0..${PAGE_COUNT - 1})`);
}

/**
 * Writes a page string as libCacheSim binary records. oracleGeneral needs
 * each reference's next use: `next[i]` is the index of the next reference
 * to the same page, or NEVER (see linkNextUses).
 */
export class RecordWriter {
  private readonly layout: (typeof RECORD_LAYOUT)[RecordFormat];
  /** Records written. */
  total = 0;

  /** Writes to `sink` (which its owner opened, and commits once `close` is done). */
  constructor(
    private readonly sink: ByteSink,
    readonly format: RecordFormat,
  ) {
    this.layout = RECORD_LAYOUT[format];
  }

  /** Appends the pages (and, for oracleGeneral, their next uses: indices into the whole string). */
  async write(pages: Int32Array, next?: Int32Array): Promise<void> {
    if (this.format === "oracleGeneral" && next === undefined) throw new Error("oracleGeneral records need next uses");
    for (let from = 0; from < pages.length; from += RECORDS_PER_READ) {
      const n = Math.min(RECORDS_PER_READ, pages.length - from);
      // A fresh block each time: a gzip sink keeps the bytes it is given.
      const words = new Uint32Array((n * this.layout.bytes) >>> 2);
      if (next === undefined) encodeU64(pages, from, n, words);
      else encodeOracle(pages, next, from, n, words);
      await this.sink.write(new Uint8Array(words.buffer));
      this.total += n;
    }
  }

  /** Flushes the sink. */
  async close(): Promise<void> {
    await this.sink.close();
  }
}

function encodeU64(pages: Int32Array, from: number, n: number, words: Uint32Array): void {
  for (let i = 0; i < n; i++) words[2 * i] = pages[from + i];
}

/** Records of traceConv: time 0, id, size 1, next position (1-based) or -1. */
function encodeOracle(pages: Int32Array, next: Int32Array, from: number, n: number, words: Uint32Array): void {
  for (let i = 0, w = 0; i < n; i++, w += 6) {
    const after = next[from + i];
    words[w + 1] = pages[from + i];
    words[w + 3] = 1;
    words[w + 4] = after === NEVER ? 0xffffffff : after + 1;
    words[w + 5] = after === NEVER ? 0xffffffff : 0;
  }
}
