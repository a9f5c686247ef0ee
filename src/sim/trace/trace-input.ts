/**
 * Opening a trace, the host side (files, pipes, gzip): `openTraceInput`
 * looks at a trace once — is it gzip'd, which format is it — and hands the
 * readers a TraceInput that knows both, so nothing downstream sniffs again.
 *
 * A regular file is looked at with one small synchronous read and read
 * again from its start by whichever reader wants its bytes (the replay's
 * second pass may read a plain binary file twice rather than spill it).
 * Anything else — a pipe, a FIFO, a character device, standard input
 * (`valgrind ... | vmm386 replay -`) — is a stream: read once, never
 * sought. Its input holds the bytes looked at and gives them back first,
 * followed by the rest of the same stream, and is closed by `close()` if
 * nobody read it (an open standard input would keep the process alive).
 * Decompression runs on libuv's thread pool, overlapping with the parsing.
 */

import * as fs from "node:fs";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { sniffFormat, type TraceFormat, type TraceHead } from "./trace-format.js";
import { streamError } from "./trace-error.js";
import { ExactReader } from "./exact-reader.js";

/** Bytes read from the disk (or produced by zlib) per chunk. */
const READ_CHUNK = 1 << 20;

/** What `-` means on a command line: standard input. */
export const STDIN = "-";
/** Names of standard input: read through the stream handed in (fd 0, which may be a socket), never reopened. */
const STDIN_NAMES: ReadonlySet<string> = new Set([STDIN, "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]);

/** Called with the number of bytes read from the file (compressed bytes for gzip), for progress bars. */
export type OnFileBytes = (bytes: number) => void;

/** A trace given by name, or already opened. */
export type TraceSource = string | TraceInput;

export interface OpenOptions {
  /** The format, when the caller knows it: no detection then. */
  readonly format?: TraceFormat;
  /** What `-` (and /dev/stdin) reads from; default the process's standard input. */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

/** Pulls exact byte counts: a reader's view of its input. */
export interface ExactInput {
  /** Bytes delivered so far (for error messages). */
  readonly offset: number;
  /** Copies up to n bytes into dst[0, n); returns how many (less only at the end of the input). */
  read(dst: Uint8Array, n: number): Promise<number>;
  /** Releases the input (early or at the end). */
  close(): Promise<void>;
}

/** An opened trace: its name, format and compression, and its decompressed bytes on demand. */
export class TraceInput {
  private constructor(
    /** The path as given (`-` for standard input): what messages name. */
    readonly name: string,
    readonly format: TraceFormat,
    readonly gzip: boolean,
    /** Size of the file in bytes; 0 for a stream, whose size is unknown. */
    readonly fileBytes: number,
    /** A stream's bytes until they are read (null for a regular file, which is read by path). */
    private stream: HeldStream | null,
    /** Read once (a pipe, FIFO, device, standard input), not a regular file read by path. */
    readonly isStream = stream !== null,
  ) {}

  /** Opens `path` (`-`: standard input) and finds its compression and format (unless given). */
  static async open(path: string, options: OpenOptions = {}): Promise<TraceInput> {
    if (isStreamInput(path)) return TraceInput.openStream(path, options);
    const gzip = isGzip(fileHead(path, 2).bytes);
    const format = options.format ?? (await sniffFormat((n) => (gzip ? inflatedHead(path, n) : Promise.resolve(fileHead(path, n))), path));
    return new TraceInput(path, format, gzip, fs.statSync(path).size, null);
  }

  /** A stream's input: standard input or the FIFO, device or socket at `path`. */
  private static openStream(path: string, options: OpenOptions): Promise<TraceInput> {
    // Standard input is named as the device it is, in messages as in results.
    if (STDIN_NAMES.has(path)) return TraceInput.fromStream("/dev/stdin", options.stdin ?? process.stdin, options);
    return TraceInput.fromStream(path, fs.createReadStream(path, { highWaterMark: READ_CHUNK }), options);
  }

  /**
   * The input of bytes that come from `source` once (say, the trace a
   * recording program writes), named `name`: its gzip magic and format read
   * from held bytes that are given back.
   */
  static async fromStream(name: string, source: AsyncIterable<Uint8Array>, options: { readonly format?: TraceFormat } = {}): Promise<TraceInput> {
    const raw = new HeldStream(source);
    try {
      const gzip = isGzip(await raw.peek(2));
      const stream = gzip ? new HeldStream(gunzip(raw.bytes())) : raw;
      const format = options.format ?? (await sniffFormat((n) => stream.head(n), name));
      return new TraceInput(name, format, gzip, 0, stream);
    } catch (e) {
      await raw.close();
      throw streamError(name, e);
    }
  }

  /** The input with its format taken as `format` (a caller's --format over the detection); this one is spent. */
  as(format: TraceFormat): TraceInput {
    if (format === this.format) return this;
    const input = new TraceInput(this.name, format, this.gzip, this.fileBytes, this.stream, this.isStream);
    this.stream = null; // one owner of a stream
    return input;
  }

  /**
   * The decompressed bytes from the start. A regular file is opened anew
   * at each call; a stream can be read this way once.
   */
  bytes(onFileBytes?: OnFileBytes): AsyncIterable<Uint8Array> {
    if (this.stream !== null) {
      const stream = this.stream;
      this.stream = null;
      return this.guarded(stream.bytes(onFileBytes));
    }
    if (this.isStream) throw new Error(`${this.name}: a stream input was read twice`);
    const raw = fs.createReadStream(this.name, { highWaterMark: READ_CHUNK });
    return this.guarded(this.gzip ? gunzip(raw, onFileBytes) : counted(raw, onFileBytes));
  }

  /**
   * The decompressed bytes from the start, in exact counts (binary readers).
   * A plain (not gzip'd) regular file is read synchronously straight into the
   * caller's buffer: no stream, no per-read allocation, no copy.
   */
  exact(onFileBytes?: OnFileBytes): ExactInput {
    if (this.stream !== null || this.gzip) return new ExactReader(this.bytes(onFileBytes));
    return new PlainFileInput(fs.openSync(this.name, "r"), onFileBytes);
  }

  /** Releases a stream that was looked at but not read (a refusal came first). Idempotent. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    await stream?.close();
  }

  /** The bytes, with a failure (truncated gzip, unreadable file) as a TraceFormatError naming the input. */
  private async *guarded(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      yield* bytes;
    } catch (e) {
      throw streamError(this.name, e);
    }
  }
}

/** Opens `source` if it is a name (its format taken as `format` when given). */
export async function traceInput(source: TraceSource, format?: TraceFormat): Promise<TraceInput> {
  if (typeof source !== "string") return format === undefined ? source : source.as(format);
  return TraceInput.open(source, { format });
}

/** Opens `path` once: what `TraceInput.open` does. */
export function openTraceInput(path: string, options: OpenOptions = {}): Promise<TraceInput> {
  return TraceInput.open(path, options);
}

/** The format of the trace at `path` (a stream looked at this way is closed again). */
export async function detectFormat(path: string): Promise<TraceFormat> {
  const input = await TraceInput.open(path);
  await input.close();
  return input.format;
}

/** True if `path` is read as a stream: standard input, a FIFO, a character device or a socket. */
export function isStreamInput(path: string): boolean {
  if (STDIN_NAMES.has(path)) return true;
  const stat = fs.statSync(path);
  return stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket();
}

/** A stream whose first bytes can be looked at and are then given back. */
class HeldStream {
  private readonly it: AsyncIterator<Uint8Array>;
  /** The bytes looked at so far, in one array (or none). */
  private held: Uint8Array | null = null;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The first `n` bytes, and whether they are the whole stream (they stay held for `bytes`). */
  async head(n: number): Promise<TraceHead> {
    const bytes = await this.peek(n + 1);
    return { bytes: bytes.subarray(0, n), complete: bytes.length <= n };
  }

  /** The first `n` bytes (fewer only if the stream ends sooner); they stay held for `bytes`. */
  async peek(n: number): Promise<Uint8Array> {
    const parts = this.held === null ? [] : [this.held];
    let got = this.held?.length ?? 0;
    while (got < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) this.ended = true;
      else {
        parts.push(next.value);
        got += next.value.length;
      }
    }
    this.held = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    return this.held.subarray(0, n);
  }

  /** Every byte of the stream, the held ones first. */
  async *bytes(onFileBytes?: OnFileBytes): AsyncGenerator<Uint8Array> {
    if (this.held !== null && this.held.length > 0) {
      onFileBytes?.(this.held.length);
      yield this.held;
    }
    this.held = null;
    if (this.ended) return;
    // Delegating to the source's iterator hands it a consumer's early return, which closes the stream.
    const rest = { [Symbol.asyncIterator]: () => this.it };
    yield* onFileBytes === undefined ? rest : counted(rest, onFileBytes);
  }

  /** Closes the source. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** The first `n` bytes of a regular file, and whether they are all of it. */
function fileHead(path: string, n: number): TraceHead {
  const fd = fs.openSync(path, "r");
  try {
    const buf = Buffer.alloc(n + 1);
    const got = fs.readSync(fd, buf, 0, n + 1, 0);
    return { bytes: buf.subarray(0, Math.min(got, n)), complete: got <= n };
  } finally {
    fs.closeSync(fd);
  }
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Up to `n` bytes of what a gzip'd file inflates to, inflating only as far
 * as needed (a stream, so a gzip bomb costs no more), and whether they are all of it.
 */
async function inflatedHead(path: string, n: number): Promise<TraceHead> {
  const parts: Uint8Array[] = [];
  let got = 0;
  const inflate = gunzip(fs.createReadStream(path, { highWaterMark: 64 * 1024 }));
  try {
    for await (const b of inflate) {
      parts.push(b);
      got += b.length;
      if (got > n) break;
    }
  } catch (e) {
    throw streamError(path, e);
  }
  const bytes = Buffer.concat(parts);
  return { bytes: bytes.subarray(0, n), complete: bytes.length <= n };
}

/**
 * The decompressed bytes of `raw`, counting the compressed bytes. A deep
 * read-ahead lets zlib (on the thread pool) inflate while the consumer parses.
 */
function gunzip(raw: AsyncIterable<Uint8Array>, onFileBytes?: OnFileBytes): AsyncIterable<Uint8Array> {
  const file = raw instanceof Readable ? raw : Readable.from(raw, { objectMode: false });
  // pipe() reads the file through "data" events, so one more listener only counts.
  if (onFileBytes) file.on("data", (b: Uint8Array) => onFileBytes(b.length));
  // zlib streams take the Transform option, though ZlibOptions does not declare it.
  const options: zlib.ZlibOptions & { readableHighWaterMark: number } = { chunkSize: READ_CHUNK, readableHighWaterMark: 8 * READ_CHUNK };
  const inflate = zlib.createGunzip(options);
  file.on("error", (e) => inflate.destroy(e));
  // A consumer that stops early destroys the inflater: the source (maybe a pipe) must close too.
  inflate.on("close", () => file.destroy());
  return file.pipe(inflate);
}

/** The stream's chunks, each reported to `onFileBytes` as it passes. */
async function* counted(stream: AsyncIterable<Uint8Array>, onFileBytes: OnFileBytes | undefined): AsyncGenerator<Uint8Array> {
  for await (const b of stream) {
    onFileBytes?.(b.length);
    yield b;
  }
}

/** A plain file read synchronously (the replay's second pass reads a binary trace this way, at page-cache speed). */
class PlainFileInput implements ExactInput {
  offset = 0;

  constructor(
    private fd: number,
    private readonly onFileBytes: OnFileBytes | undefined,
  ) {}

  read(dst: Uint8Array, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, dst, got, n - got, null);
      if (r === 0) break;
      got += r;
    }
    this.offset += got;
    this.onFileBytes?.(got);
    return Promise.resolve(got);
  }

  close(): Promise<void> {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    return Promise.resolve();
  }
}
