/**
 * The vmm386 binary trace format: compact, and read at memory-copy speed.
 *
 *   header (16 bytes): magic "VMM386TR", u16 version (1), u16 flags, u32 0
 *   blocks:            u32 n (1..65536), u32 0,
 *                      n × i32 address, n × u16 meta, zero padding to a multiple of 4
 *   terminator:        u32 0, u32 total accesses (mod 2^32)
 *
 * All integers little-endian. meta = kind | (size - 1) << 2 (kind as
 * TRACE_KIND, size 1..4096). Columns per block let a reader copy a whole
 * block of addresses into a typed array in one call; the terminator makes a
 * truncated file an error rather than a silently shorter trace.
 */

import type { ByteSink } from "./byte-sink.js";
import { TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";
import { TraceFormatError, streamError } from "./trace-error.js";
import { BINARY_MAGIC, hasBinaryMagic } from "./trace-format.js";
import { traceInput, type ExactInput, type OnFileBytes, type TraceSource } from "./trace-input.js";

export { BINARY_MAGIC } from "./trace-format.js";
export const BINARY_VERSION = 1;
/** Header flag: every record came from a page reference string (size-1 loads). */
export const FLAG_PAGE_REFERENCES = 1;
const HEADER_BYTES = 16;
const BLOCK_HEADER_BYTES = 8;
/** Accesses per block (the writer's block size and the reader's upper bound). */
export const BLOCK_CAPACITY = 65536;

if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error("vmm386's binary trace format needs a little-endian host");

function blockBytes(n: number): number {
  return BLOCK_HEADER_BYTES + n * 6 + ((n * 2) & 2);
}

/**
 * Writes accesses in the binary format, one block per BLOCK_CAPACITY
 * accesses. Records are encoded straight into the block's bytes (addresses
 * and meta at a full block's offsets; a short last block's meta is moved
 * down once), so a plain file costs one copy per access and one write per block.
 */
export class BinaryTraceWriter {
  private readonly sink: ByteSink;
  private block = new ArrayBuffer(blockBytes(BLOCK_CAPACITY));
  private addr = new Int32Array(this.block, BLOCK_HEADER_BYTES, BLOCK_CAPACITY);
  private meta = new Uint16Array(this.block, BLOCK_HEADER_BYTES + 4 * BLOCK_CAPACITY, BLOCK_CAPACITY);
  private n = 0;
  /** The sink's last write, awaited before the next so blocks stay in order and memory bounded. */
  private pending: Promise<void>;
  /** Accesses written so far. */
  total = 0;

  /** Writes to `sink` (which its owner opened, and commits once `close` is done). */
  constructor(sink: ByteSink, flags = 0) {
    this.sink = sink;
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(BINARY_MAGIC, 0, "latin1");
    header.writeUInt16LE(BINARY_VERSION, 8);
    header.writeUInt16LE(flags, 10);
    this.pending = handled(this.sink.write(header));
  }

  /** Appends every access of the chunk. */
  async write(chunk: TraceChunk): Promise<void> {
    for (let i = 0; i < chunk.length; ) {
      const take = Math.min(chunk.length - i, BLOCK_CAPACITY - this.n);
      this.addr.set(chunk.addr.subarray(i, i + take), this.n);
      encodeMeta(chunk, i, take, this.meta, this.n);
      this.n += take;
      i += take;
      if (this.n === BLOCK_CAPACITY) await this.flushBlock();
    }
  }

  /** Writes the last block and the terminator, and flushes the sink. */
  async close(): Promise<void> {
    if (this.n > 0) await this.flushBlock();
    const end = Buffer.alloc(8);
    end.writeUInt32LE(this.total >>> 0, 4);
    await this.pending;
    await this.sink.write(end);
    await this.sink.close();
  }

  private async flushBlock(): Promise<void> {
    const n = this.n;
    const bytes = new Uint8Array(this.block, 0, blockBytes(n));
    const head = new Uint32Array(this.block, 0, 2);
    head[0] = n;
    head[1] = 0;
    if (n < BLOCK_CAPACITY) {
      const metaAt = BLOCK_HEADER_BYTES + 4 * n;
      const whole = new Uint8Array(this.block);
      whole.copyWithin(metaAt, this.meta.byteOffset, this.meta.byteOffset + 2 * n);
      bytes.fill(0, metaAt + 2 * n);
    }
    await this.pending;
    this.pending = handled(this.sink.write(bytes));
    this.total += n;
    this.n = 0;
    if (this.sink.reusable) {
      await this.pending;
    } else {
      // The sink keeps the block's bytes: start the next block in fresh memory.
      this.block = new ArrayBuffer(blockBytes(BLOCK_CAPACITY));
      this.addr = new Int32Array(this.block, BLOCK_HEADER_BYTES, BLOCK_CAPACITY);
      this.meta = new Uint16Array(this.block, BLOCK_HEADER_BYTES + 4 * BLOCK_CAPACITY, BLOCK_CAPACITY);
    }
  }
}

/**
 * The same promise, marked as handled: its failure surfaces where it is
 * awaited (the next write or close), not as an unhandled rejection before that.
 */
function handled(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

/** meta[at..] = kind | (size - 1) << 2 for `count` accesses of the chunk from `from`. */
function encodeMeta(chunk: TraceChunk, from: number, count: number, meta: Uint16Array, at: number): void {
  const kinds = chunk.kind;
  const sizes = chunk.size;
  for (let j = 0; j < count; j++) meta[at + j] = kinds[from + j] | ((sizes[from + j] - 1) << 2);
}

/** Streams a binary trace (plain or gzip) as chunks; the chunk object is reused. */
export async function* readBinary(source: TraceSource, capacity = DEFAULT_CHUNK_CAPACITY, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const traced = await traceInput(source, "binary");
  const path = traced.name;
  const chunk = new TraceChunk(Math.max(capacity, BLOCK_CAPACITY));
  const stage = new ArrayBuffer(blockBytes(BLOCK_CAPACITY));
  const stageBytes = new Uint8Array(stage);
  const stageHead = new Uint32Array(stage, 0, 2);
  let input: ExactInput | null = null;
  try {
    input = traced.exact(onFileBytes);
    const header = new Uint8Array(HEADER_BYTES);
    if ((await input.read(header, HEADER_BYTES)) < HEADER_BYTES || !hasBinaryMagic(header)) {
      throw new TraceFormatError(path, 0, `not a vmm386 binary trace (no "${BINARY_MAGIC}" header)`);
    }
    const version = header[8] | (header[9] << 8);
    if (version !== BINARY_VERSION) {
      throw new TraceFormatError(path, 0, `binary trace version ${version}, this vmm386 reads version ${BINARY_VERSION}`);
    }
    if ((header[12] | header[13] | header[14] | header[15]) !== 0) throw reservedError(path, 12);
    let total = 0;
    while (true) {
      const at = input.offset;
      if ((await input.read(stageBytes, BLOCK_HEADER_BYTES)) < BLOCK_HEADER_BYTES) {
        throw new TraceFormatError(path, 0, `truncated at byte ${at}: missing end-of-trace marker`);
      }
      const n = stageHead[0];
      if (n === 0) {
        if (stageHead[1] !== total >>> 0) {
          throw new TraceFormatError(path, 0, `end marker says ${stageHead[1]} accesses, blocks hold ${total}`);
        }
        await checkEnd(path, input, stageBytes);
        break;
      }
      if (n > BLOCK_CAPACITY) throw new TraceFormatError(path, 0, `bad block header at byte ${at} (${n} accesses)`);
      if (stageHead[1] !== 0) throw reservedError(path, at + 4);
      const body = blockBytes(n) - BLOCK_HEADER_BYTES;
      if ((await input.read(stageBytes.subarray(BLOCK_HEADER_BYTES), body)) < body) {
        throw new TraceFormatError(path, 0, `truncated block at byte ${at}`);
      }
      if (chunk.length + n > chunk.capacity) {
        yield chunk;
        chunk.length = 0;
      }
      const bad = decodeBlock(stage, n, chunk);
      if (bad >= 0) throw new TraceFormatError(path, 0, `bad record ${total + bad} in the block at byte ${at} (size over 4096 bytes)`);
      total += n;
    }
  } catch (e) {
    throw streamError(path, e);
  } finally {
    await input?.close();
  }
  if (chunk.length > 0) yield chunk;
}

/** The error for a reserved word that is not zero (a file written by something else, or damaged). */
function reservedError(path: string, offset: number): TraceFormatError {
  return new TraceFormatError(path, 0, `reserved word at byte ${offset} is not zero (damaged, or not written by vmm386)`);
}

/** Throws if anything follows the end marker: a trace with more after its end is damaged (two files joined, say). */
async function checkEnd(path: string, input: ExactInput, scratch: Uint8Array): Promise<void> {
  const at = input.offset;
  if ((await input.read(scratch, 1)) > 0) throw new TraceFormatError(path, 0, `bytes after the end marker, from byte ${at} (damaged, or two traces joined)`);
}

/** Appends the block's `n` records from the staging buffer to the chunk; returns the index of a malformed record, or -1. */
function decodeBlock(stage: ArrayBuffer, n: number, chunk: TraceChunk): number {
  const base = chunk.length;
  chunk.addr.set(new Int32Array(stage, BLOCK_HEADER_BYTES, n), base);
  const meta = new Uint16Array(stage, BLOCK_HEADER_BYTES + 4 * n, n);
  const kinds = chunk.kind;
  const sizes = chunk.size;
  let bad = -1;
  for (let i = 0; i < n; i++) {
    const m = meta[i];
    if (m >= 0x4000) bad = i;
    kinds[base + i] = m & 3;
    sizes[base + i] = (m >>> 2) + 1;
  }
  chunk.length = base + n;
  return bad;
}
