/**
 * Splits a (possibly gzip'd) text trace into whole lines for a byte parser,
 * without ever holding more than one decompressed Buffer plus a partial line.
 *
 * A line split across Buffers is carried as a list of its pieces, joined
 * once when its end arrives, so a long line costs time in proportion to
 * its length; and no line may be longer than MAX_LINE_BYTES, so one that
 * never ends (a gigabyte of comment, a binary file read as text) is refused
 * in bounded memory rather than gathered whole.
 */

import { openByteStream, type OnFileBytes } from "./byte-source.js";
import type { TraceChunk } from "./trace-chunk.js";
import { TraceFormatError, streamError } from "./trace-error.js";

const NL = 0x0a;

/** The longest line a text trace may have: 1 MiB (lackey's lines are some 15 bytes, its messages a few hundred). */
export const MAX_LINE_BYTES = 1 << 20;

/** A text format's parser: whole lines in, accesses into the chunk; `line` counts the lines consumed. */
export interface LineParser {
  readonly line: number;
  /** Parses whole lines of buf[pos, end) (buf[end - 1] is a newline) until the chunk fills; returns where it stopped. */
  parse(buf: Buffer, pos: number, end: number): number;
}

/** The pieces of a line that began in an earlier Buffer. */
class Carry {
  private parts: Buffer[] = [];
  length = 0;

  add(piece: Buffer): void {
    this.parts.push(piece);
    this.length += piece.length;
  }

  /** The whole line (with `end`, its last piece), and an empty carry. */
  take(end: Buffer): Buffer {
    const line = Buffer.concat([...this.parts, end], this.length + end.length);
    this.parts = [];
    this.length = 0;
    return line;
  }
}

/**
 * The line-splitting loop shared by text readers: feeds `parser` whole
 * lines from the byte stream, joining lines split between Buffers.
 */
export async function* parseLines(path: string, chunk: TraceChunk, parser: LineParser, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const capacity = chunk.capacity;
  const carry = new Carry();
  const tooLong = (): TraceFormatError => new TraceFormatError(path, parser.line + 1, `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB (the longest a text trace may have)`);
  try {
    for await (const data of await openByteStream(path, onFileBytes)) {
      const buf = data as Buffer;
      let pos = 0;
      if (carry.length > 0) {
        const nl = buf.indexOf(NL);
        if (carry.length + (nl < 0 ? buf.length : nl) > MAX_LINE_BYTES) throw tooLong();
        if (nl < 0) {
          carry.add(Buffer.from(buf));
          continue;
        }
        const joined = carry.take(buf.subarray(0, nl + 1));
        if (chunk.length === capacity) {
          yield chunk;
          chunk.clear();
        }
        parser.parse(joined, 0, joined.length);
        pos = nl + 1;
      }
      const end = buf.lastIndexOf(NL) + 1;
      while (pos < end) {
        if (chunk.length === capacity) {
          yield chunk;
          chunk.clear();
        }
        pos = parser.parse(buf, pos, end);
      }
      if (end < buf.length) {
        if (buf.length - end > MAX_LINE_BYTES) throw tooLong();
        carry.add(Buffer.from(buf.subarray(end)));
      }
    }
    if (carry.length > 0) {
      if (chunk.length === capacity) {
        yield chunk;
        chunk.clear();
      }
      const last = carry.take(Buffer.from([NL]));
      parser.parse(last, 0, last.length);
    }
  } catch (e) {
    throw streamError(path, e);
  }
  if (chunk.length > 0) yield chunk;
}
