/**
 * Streams a file's bytes in large chunks, gunzipping transparently when the
 * file starts with the gzip magic (1f 8b). Nothing is ever read whole.
 *
 * A path that is not a regular file — a pipe, a FIFO, a character device,
 * standard input (`/dev/stdin`, say with `valgrind ... | vmm386 replay -`) —
 * is a stream: its bytes can be read once only, and not sought. So it is
 * opened once per process: what `isGzipFile` and `readHead` look at is kept
 * and given back at the start of the one `openByteStream` that reads it.
 */

import * as fs from "node:fs";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";

/** Bytes read from the disk (or produced by zlib) per chunk. */
const READ_CHUNK = 1 << 20;

/** The path of the process's standard input (what `-` means on a command line). */
export const STDIN = "/dev/stdin";

/** Names of standard input: read through fd 0, which a socket (not only a pipe) can be, never reopened. */
const STDIN_PATHS: ReadonlySet<string> = new Set([STDIN, "/dev/fd/0", "/proc/self/fd/0"]);

/** True if `path` is read as a stream: standard input, a FIFO, a character device, a socket, or a registered stream. */
export function isStreamInput(path: string): boolean {
  if (STDIN_PATHS.has(path) || opened.has(path)) return true;
  const stat = fs.statSync(path);
  return stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket();
}

/** A stream input: bytes looked at before it is read are held and given back first. */
class StreamInput {
  private readonly it: AsyncIterator<Buffer>;
  /** The bytes peeked at so far, in one Buffer (or none). */
  private held: Buffer | null = null;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The first `n` bytes (fewer only if the stream ends sooner); they stay held for `bytes`. */
  async peek(n: number): Promise<Buffer> {
    const parts = this.held === null ? [] : [this.held];
    let got = this.held?.length ?? 0;
    while (got < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
      } else {
        parts.push(next.value);
        got += next.value.length;
      }
    }
    this.held = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    return this.held.subarray(0, n);
  }

  /** Every byte of the stream, the held ones first. */
  async *bytes(): AsyncGenerator<Buffer> {
    if (this.held !== null && this.held.length > 0) yield this.held;
    this.held = null;
    if (this.ended) return;
    // Delegating to the source's iterator hands it a consumer's early return, which closes the stream.
    yield* { [Symbol.asyncIterator]: () => this.it };
  }

  /** Closes the source (a stream looked at but never read: an error came first). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Stream inputs opened and not yet handed to their reader, by path. */
const opened = new Map<string, StreamInput>();

/**
 * Makes `source` (say, a recording program's trace) readable as a stream
 * input under `name`, which readers then take for a path: read once, the
 * bytes format detection looks at given back first.
 */
export function registerStreamInput(name: string, source: AsyncIterable<Buffer>): void {
  opened.set(name, new StreamInput(source));
}

function streamInput(path: string): StreamInput {
  let input = opened.get(path);
  if (input === undefined) {
    const source: AsyncIterable<Buffer> = STDIN_PATHS.has(path) ? process.stdin : fs.createReadStream(path, { highWaterMark: READ_CHUNK });
    input = new StreamInput(source);
    opened.set(path, input);
  }
  return input;
}

/**
 * Releases the stream input at `path` if it was looked at but not read (a
 * format error, say): an open standard input would keep the process alive.
 */
export async function closeStreamInput(path: string): Promise<void> {
  const input = opened.get(path);
  opened.delete(path);
  await input?.close();
}

/** The first `n` bytes of the file (fewer if it is shorter); a stream input keeps them for its reader. */
export async function readHead(path: string, n: number): Promise<Buffer> {
  if (isStreamInput(path)) return streamInput(path).peek(n);
  const fh = await fs.promises.open(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** True if the file begins with the gzip magic bytes. */
export async function isGzipFile(path: string): Promise<boolean> {
  const head = await readHead(path, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Called with the number of bytes read from the file (compressed bytes for gzip), for progress bars. */
export type OnFileBytes = (bytes: number) => void;

/** The raw bytes of the file; a stream input's from its start, after which it is no longer ours to give. */
function openRaw(path: string): Readable {
  if (!isStreamInput(path)) return fs.createReadStream(path, { highWaterMark: READ_CHUNK });
  const input = streamInput(path);
  opened.delete(path);
  return Readable.from(input.bytes(), { objectMode: false });
}

/**
 * The file's (decompressed) bytes as a stream of Buffers. Decompression runs
 * on libuv's thread pool, overlapping with whatever consumes the chunks.
 * A stream input can be opened this way once.
 */
export async function openByteStream(path: string, onFileBytes?: OnFileBytes): Promise<AsyncIterable<Buffer>> {
  const gz = await isGzipFile(path);
  const file = openRaw(path);
  if (!gz) return onFileBytes ? counted(file, onFileBytes) : file;
  // pipe() reads the file through "data" events, so one more listener only counts.
  if (onFileBytes) file.on("data", (b: Buffer) => onFileBytes(b.length));
  // A deep read-ahead lets zlib (on the thread pool) inflate while the consumer parses;
  // zlib streams take the Transform option, though ZlibOptions does not declare it.
  const options: zlib.ZlibOptions & { readableHighWaterMark: number } = { chunkSize: READ_CHUNK, readableHighWaterMark: 8 * READ_CHUNK };
  const gunzip = zlib.createGunzip(options);
  file.on("error", (e) => gunzip.destroy(e));
  // A consumer that stops early destroys gunzip: the source (maybe a pipe) must close too.
  gunzip.on("close", () => file.destroy());
  return file.pipe(gunzip);
}

/** The stream's chunks, each reported to `onFileBytes` as it passes. */
async function* counted(stream: AsyncIterable<Buffer>, onFileBytes: OnFileBytes): AsyncGenerator<Buffer> {
  for await (const b of stream) {
    onFileBytes(b.length);
    yield b;
  }
}
