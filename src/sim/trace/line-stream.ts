/**
 * Splits a (possibly gzip'd) text trace into whole lines for a byte parser,
 * without ever holding more than one decompressed Buffer plus a partial line.
 */

import { openByteStream, type OnFileBytes } from "./byte-source.js";
import type { TraceChunk } from "./trace-chunk.js";
import { streamError } from "./trace-error.js";

const NL = 0x0a;

/**
 * The line-splitting loop shared by text readers: feeds `parse` whole lines
 * from the byte stream, joining lines split between Buffers.
 */
export async function* parseLines(
  path: string,
  chunk: TraceChunk,
  parse: (buf: Buffer, pos: number, end: number) => number,
  onFileBytes?: OnFileBytes,
): AsyncGenerator<TraceChunk> {
  const capacity = chunk.capacity;
  let carry: Buffer | null = null;
  try {
    for await (const data of await openByteStream(path, onFileBytes)) {
      const buf = data as Buffer;
      let pos = 0;
      if (carry) {
        const nl = buf.indexOf(NL);
        if (nl < 0) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        const joined = Buffer.concat([carry, buf.subarray(0, nl + 1)]);
        carry = null;
        if (chunk.length === capacity) {
          yield chunk;
          chunk.length = 0;
        }
        parse(joined, 0, joined.length);
        pos = nl + 1;
      }
      const end = buf.lastIndexOf(NL) + 1;
      while (pos < end) {
        if (chunk.length === capacity) {
          yield chunk;
          chunk.length = 0;
        }
        pos = parse(buf, pos, end);
      }
      if (end < buf.length) carry = Buffer.from(buf.subarray(end));
    }
    if (carry && carry.length > 0) {
      if (chunk.length === capacity) {
        yield chunk;
        chunk.length = 0;
      }
      const last = Buffer.concat([carry, Buffer.from([NL])]);
      parse(last, 0, last.length);
    }
  } catch (e) {
    throw streamError(path, e);
  }
  if (chunk.length > 0) yield chunk;
}
