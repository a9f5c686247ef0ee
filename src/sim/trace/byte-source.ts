/**
 * Streams a file's bytes in large chunks, gunzipping transparently when the
 * file starts with the gzip magic (1f 8b). Nothing is ever read whole.
 */

import * as fs from "node:fs";
import * as zlib from "node:zlib";

/** Bytes read from the disk (or produced by zlib) per chunk. */
const READ_CHUNK = 1 << 20;

/** True if the file begins with the gzip magic bytes. */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await fs.promises.open(path, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Called with the number of bytes read from the file (compressed bytes for gzip), for progress bars. */
export type OnFileBytes = (bytes: number) => void;

/**
 * The file's (decompressed) bytes as a stream of Buffers. Decompression runs
 * on libuv's thread pool, overlapping with whatever consumes the chunks.
 */
export async function openByteStream(path: string, onFileBytes?: OnFileBytes): Promise<AsyncIterable<Buffer>> {
  const gz = await isGzipFile(path);
  const file = fs.createReadStream(path, { highWaterMark: READ_CHUNK });
  if (!gz) return onFileBytes ? counted(file, onFileBytes) : file;
  // pipe() reads the file through "data" events, so one more listener only counts.
  if (onFileBytes) file.on("data", (b) => onFileBytes(b.length));
  // A deep read-ahead lets zlib (on the thread pool) inflate while the consumer parses;
  // zlib streams take the Transform option, though ZlibOptions does not declare it.
  const options: zlib.ZlibOptions & { readableHighWaterMark: number } = { chunkSize: READ_CHUNK, readableHighWaterMark: 8 * READ_CHUNK };
  const gunzip = zlib.createGunzip(options);
  file.on("error", (e) => gunzip.destroy(e));
  gunzip.on("error", () => file.destroy());
  return file.pipe(gunzip);
}

/** The stream's chunks, each reported to `onFileBytes` as it passes. */
async function* counted(stream: AsyncIterable<Buffer>, onFileBytes: OnFileBytes): AsyncGenerator<Buffer> {
  for await (const b of stream) {
    onFileBytes(b.length);
    yield b;
  }
}
