/**
 * Splits a text trace's (decompressed) bytes into whole lines for a byte
 * parser, without ever holding more than one Buffer plus a partial line.
 *
 * A line split across Buffers is carried as a list of its pieces, joined
 * once when its end arrives, so a long line costs time in proportion to
 * its length; and no line may be longer than MAX_LINE_BYTES, so one that
 * never ends (a gigabyte of comment, a binary file read as text) is refused
 * in bounded memory rather than gathered whole.
 */

import type { TraceChunk } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";
import type { OnFileBytes, TraceInput } from "./trace-input.js";

const NL = 0x0a;

/** The longest line a text trace may have: 1 MiB (lackey's lines are some 15 bytes, its messages a few hundred). */
export const MAX_LINE_BYTES = 1 << 20;

/** A text format's parser: whole lines in, accesses into the chunk; `line` counts the lines consumed. */
export interface LineParser {
  readonly line: number;
  /** Parses whole lines of buf[pos, end) (buf[end - 1] is a newline) until the chunk fills; returns where it stopped. */
  parse(buf: Uint8Array, pos: number, end: number): number;
}

/** The pieces of a line that began in an earlier Buffer. */
class Carry {
  private parts: Uint8Array[] = [];
  length = 0;

  /** Keeps a copy of `piece` (the source may reuse its buffer). */
  add(piece: Uint8Array): void {
    this.parts.push(new Uint8Array(piece));
    this.length += piece.length;
  }

  /** The whole line (with `end`, its last piece), and an empty carry. */
  take(end: Uint8Array): Uint8Array {
    const line = new Uint8Array(this.length + end.length);
    let at = 0;
    for (const part of this.parts) {
      line.set(part, at);
      at += part.length;
    }
    line.set(end, at);
    this.parts = [];
    this.length = 0;
    return line;
  }
}

/**
 * The line-splitting loop shared by text readers: feeds `parser` whole
 * lines from the input's bytes, joining lines split between Buffers.
 */
export async function* parseLines(input: TraceInput, chunk: TraceChunk, parser: LineParser, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const capacity = chunk.capacity;
  const carry = new Carry();
  const tooLong = (): TraceFormatError =>
    new TraceFormatError(input.name, parser.line + 1, `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB (the longest a text trace may have)`);
  for await (const data of input.bytes(onFileBytes)) {
    // A plain view, whatever class the host's bytes come in: the parsers see one kind of array.
    const buf = new Uint8Array(data.buffer, data.byteOffset, data.length);
    let pos = 0;
    if (carry.length > 0) {
      const nl = buf.indexOf(NL);
      if (carry.length + (nl < 0 ? buf.length : nl) > MAX_LINE_BYTES) throw tooLong();
      if (nl < 0) {
        carry.add(buf);
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
      carry.add(buf.subarray(end));
    }
  }
  if (carry.length > 0) {
    if (chunk.length === capacity) {
      yield chunk;
      chunk.clear();
    }
    const last = carry.take(Uint8Array.of(NL));
    parser.parse(last, 0, last.length);
  }
  if (chunk.length > 0) yield chunk;
}
