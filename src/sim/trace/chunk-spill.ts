/**
 * The replay's temporary copy of a trace (its "spill"): the first pass's
 * chunks dumped column by column straight from their typed arrays, and read
 * back by the replay pass straight into a chunk's typed arrays. No record is
 * encoded or decoded and nothing is allocated per chunk: each chunk costs
 * four system calls each way. The file lives only while its replay runs, on
 * the same machine, so it needs no portable format — only a check that it
 * was read back whole.
 *
 *   per chunk:  u32 n (1..), u32 wide (0 or 1), n × i32 address,
 *               [n × u32 upper address word, if wide], n × u8 kind, n × u16 size
 *   end:        u32 0, u32 total accesses (mod 2^32)
 *
 * Given a memory budget, the writer first keeps copies of the chunks in
 * memory and opens the file only once they would exceed it: a trace of a few
 * million accesses then costs no file at all (writing, reading back and
 * deleting it was a tenth of the replay's time), and a larger one still
 * needs no more than the budget. `readSpill` gives back both parts, in order.
 *
 * The file is unlinked as soon as it is created: it is written and read
 * back through its one descriptor, and its blocks go when that is closed,
 * so nothing is left behind however the process ends (even by SIGKILL).
 */

import * as fs from "node:fs";
import { hostErrorText, isHostError } from "../../machine/host-file.js";
import { OutputFileError } from "../output-file.js";
import { TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";

/** Bytes one access takes in the spill, in memory or on file (4 more in a wide chunk). */
const BYTES_PER_ACCESS = 7;

function spillBytes(chunk: TraceChunk): number {
  return (chunk.wide ? BYTES_PER_ACCESS + 4 : BYTES_PER_ACCESS) * chunk.length;
}

/**
 * Writes chunks to memory (up to a budget), then to a new spill file with
 * synchronous writes. The file is created exclusively (never an existing
 * one) and unlinked at once; `release()` closes it. A host failure (a full
 * disk) is an OutputFileError naming the file.
 */
export class ChunkSpillWriter {
  private fd = -1;
  /** The file has been created (it then holds every chunk after `held`). */
  private opened = false;
  private readonly head = new Uint32Array(2);
  /** Copies of the first chunks, kept in memory within the budget. */
  readonly held: TraceChunk[] = [];
  private heldBytes = 0;
  /** Accesses written so far. */
  total = 0;

  /**
   * With no memory budget, creates (truncates) the file at once; otherwise
   * only when the budget is exceeded. Throws the host's error if it cannot.
   */
  constructor(
    readonly path: string,
    private readonly memoryBytes = 0,
  ) {
    if (memoryBytes <= 0) this.open();
  }

  /** True once the file exists: `readSpill` then reads it after the held chunks. */
  get spilled(): boolean {
    return this.opened;
  }

  /** Appends the chunk's accesses [0, length); the chunk may be refilled at once. */
  write(chunk: TraceChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const bytes = spillBytes(chunk);
    if (!this.opened && this.heldBytes + bytes <= this.memoryBytes) {
      this.held.push(copyOf(chunk));
      this.heldBytes += bytes;
      this.total += n;
      return;
    }
    if (!this.opened) this.open();
    this.head[0] = n;
    this.head[1] = chunk.wide ? 1 : 0;
    this.hostIo(() => {
      writeAll(this.fd, this.head, 8);
      writeAll(this.fd, chunk.addr, 4 * n);
      if (chunk.wide) writeAll(this.fd, chunk.addrHigh, 4 * n);
      writeAll(this.fd, chunk.kind, n);
      writeAll(this.fd, chunk.size, 2 * n);
    });
    this.total += n;
  }

  /** The spill file's descriptor (read back from its start), or -1 while nothing went to a file. */
  get descriptor(): number {
    return this.fd;
  }

  /** Closes the file, and with it its blocks (it was unlinked when made). Idempotent. */
  release(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Writes the end marker (if there is a file): the spill is complete. */
  close(): void {
    if (this.fd < 0) return;
    this.head[0] = 0;
    this.head[1] = (this.total - this.heldAccesses()) >>> 0;
    this.hostIo(() => writeAll(this.fd, this.head, 8));
  }

  private heldAccesses(): number {
    let n = 0;
    for (const c of this.held) n += c.length;
    return n;
  }

  private open(): void {
    this.fd = this.hostIo(() => fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600));
    this.opened = true;
    fs.unlinkSync(this.path);
  }

  /** Runs a host call on the file; its failure names the file, and says what it is for. */
  private hostIo<T>(call: () => T): T {
    try {
      return call();
    } catch (e) {
      if (!isHostError(e)) throw e;
      throw new OutputFileError(this.path, `${hostErrorText(e)} (the replay's temporary copy of the trace; set TMPDIR to a folder with room)`);
    }
  }
}

/** A chunk of exactly the accesses of `chunk`, in new arrays. */
function copyOf(chunk: TraceChunk): TraceChunk {
  const n = chunk.length;
  const copy = new TraceChunk(n);
  copy.addr.set(chunk.addr.subarray(0, n));
  if (chunk.wide) {
    copy.addrHigh.set(chunk.addrHigh.subarray(0, n));
    copy.wide = true;
  }
  copy.kind.set(chunk.kind.subarray(0, n));
  copy.size.set(chunk.size.subarray(0, n));
  copy.length = n;
  return copy;
}

/**
 * Every chunk a closed writer was given, in order: the held copies, then
 * the file's (read into one reused chunk: consume each before the next).
 */
export function* readSpill(writer: ChunkSpillWriter): Generator<TraceChunk> {
  yield* writer.held;
  if (writer.spilled) yield* readChunkSpill(writer.descriptor, writer.path);
}

/** Writes the first `bytes` bytes of the array's memory. */
function writeAll(fd: number, array: NodeJS.ArrayBufferView, bytes: number): void {
  let done = 0;
  while (done < bytes) done += fs.writeSync(fd, array, done, bytes - done);
}

/** Reads exactly `bytes` bytes at `at` of the file into the start of the array's memory; false at a premature end of file. */
function readAll(fd: number, array: NodeJS.ArrayBufferView, bytes: number, at: number): boolean {
  let done = 0;
  while (done < bytes) {
    const got = fs.readSync(fd, array, done, bytes - done, at + done);
    if (got === 0) return false;
    done += got;
  }
  return true;
}

/**
 * The chunks of the spill file open at `fd`, from its start, in order, each
 * read into the same TraceChunk (grown if a spilled chunk is larger):
 * consume it before asking for the next. Throws, naming the spill by
 * `name`, if the file ends before its end marker or the marker disagrees.
 * The caller keeps the descriptor.
 */
export function* readChunkSpill(fd: number, name: string): Generator<TraceChunk> {
  const head = new Uint32Array(2);
  let chunk = new TraceChunk(DEFAULT_CHUNK_CAPACITY);
  let total = 0;
  let at = 0;
  while (true) {
    if (!readAll(fd, head, 8, at)) throw new Error(`${name}: replay spill truncated after ${total} accesses`);
    at += 8;
    const n = head[0];
    if (n === 0) {
      if (head[1] !== total >>> 0) throw new Error(`${name}: replay spill holds ${total} accesses, its end marker says ${head[1]}`);
      return;
    }
    if (n > chunk.capacity) chunk = new TraceChunk(n);
    chunk.clear();
    const wide = head[1] === 1;
    const high = wide ? 4 * n : 0;
    const whole =
      readAll(fd, chunk.addr, 4 * n, at) &&
      (!wide || readAll(fd, chunk.addrHigh, 4 * n, at + 4 * n)) &&
      readAll(fd, chunk.kind, n, at + 4 * n + high) &&
      readAll(fd, chunk.size, 2 * n, at + 5 * n + high);
    if (!whole) throw new Error(`${name}: replay spill truncated after ${total} accesses`);
    at += BYTES_PER_ACCESS * n + high;
    chunk.length = n;
    chunk.wide = wide;
    total += n;
    yield chunk;
  }
}
