/**
 * Page reference strings, as textbook simulators take them: one decimal
 * virtual page number (0..2^20-1) per line. Blank lines and `#` comments
 * (whole-line or after the number) are skipped. Each page number becomes a
 * one-byte load at the start of that page.
 */

import { parseLines } from "./line-stream.js";
import { traceInput, type OnFileBytes, type TraceSource } from "./trace-input.js";
import { TRACE_KIND, TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";

const NL = 0x0a;
const HASH = 0x23;
/** Number of virtual pages of a 32-bit address space. */
const PAGE_COUNT = 1 << 20;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** Parses reference-string lines into a chunk, counting lines for error messages. */
export class RefsParser {
  line = 0;

  constructor(
    readonly file: string,
    readonly chunk: TraceChunk,
  ) {}

  /** Parses whole lines of buf[pos, end) (buf[end - 1] is a newline) until the chunk fills; returns where it stopped. */
  parse(buf: Uint8Array, pos: number, end: number): number {
    const chunk = this.chunk;
    const cap = chunk.capacity;
    let n = chunk.length;
    let p = pos;
    while (p < end && n < cap) {
      let c = buf[p];
      while (isBlank(c)) c = buf[++p];
      if (c === NL || c === HASH) {
        p = buf.indexOf(NL, p) + 1;
        this.line++;
        continue;
      }
      let page = 0;
      let digits = 0;
      let d = c - 0x30;
      while (d >= 0 && d <= 9) {
        page = page * 10 + d;
        digits++;
        d = buf[++p] - 0x30;
      }
      if (digits === 0) this.fail("expected a decimal page number");
      if (page >= PAGE_COUNT) this.fail(`page number ${page} is beyond a 32-bit address space (max ${PAGE_COUNT - 1})`);
      c = buf[p];
      while (isBlank(c)) c = buf[++p];
      if (c === HASH) p = buf.indexOf(NL, p);
      else if (c !== NL) this.fail("expected one page number per line");
      p++;
      chunk.addr[n] = page << 12;
      chunk.kind[n] = TRACE_KIND.LOAD;
      chunk.size[n] = 1;
      n++;
      this.line++;
    }
    chunk.length = n;
    return p;
  }

  fail(detail: string): never {
    throw new TraceFormatError(this.file, this.line + 1, detail);
  }
}

/** Streams a page reference string (plain or gzip) as chunks of one-byte loads; the chunk is reused. */
export async function* readRefs(source: TraceSource, capacity = DEFAULT_CHUNK_CAPACITY, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const input = await traceInput(source, "refs");
  const chunk = new TraceChunk(capacity);
  const parser = new RefsParser(input.name, chunk);
  yield* parseLines(input, chunk, parser, onFileBytes);
}
