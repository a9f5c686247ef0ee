/**
 * Valgrind lackey traces (`valgrind --tool=lackey --trace-mem=yes`):
 *
 *   ==11005== Lackey, an example Valgrind tool      (comment: ignored)
 *   I  08049b00,2                                   (instruction fetch)
 *    L feffddd0,4                                   (load)
 *    S feffddcc,4                                   (store)
 *    M 082427b0,4                                   (modify: one access, read and written)
 *
 * The parser is a hand-written loop over the bytes of each decompressed
 * Buffer (no strings, no regular expressions, no per-line objects): lines
 * split across two Buffers are joined through a small carry.
 */

import { parseLines } from "./line-stream.js";
import type { OnFileBytes } from "./byte-source.js";
import { MAX_ACCESS_SIZE, TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;

/** Hex digit value of each byte, -1 for non-digits. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x61 + i] = HEX[0x41 + i] = 10 + i;

/** Parses lackey lines into a chunk; keeps the line number for error messages. */
export class LackeyParser {
  /** Lines consumed so far (comments included). */
  line = 0;

  constructor(
    readonly file: string,
    readonly chunk: TraceChunk,
  ) {}

  /**
   * Parses whole lines of buf[pos, end) — buf[end - 1] must be a newline —
   * until the chunk is full or `end` is reached; returns where it stopped.
   */
  parse(buf: Buffer, pos: number, end: number): number {
    const chunk = this.chunk;
    const addrs = chunk.addr;
    const kinds = chunk.kind;
    const sizes = chunk.size;
    const cap = chunk.capacity;
    let n = chunk.length;
    let p = pos;
    while (p < end && n < cap) {
      const c0 = buf[p];
      let kind: number;
      if (c0 === 0x49 /* I */ && buf[p + 1] === SPACE && buf[p + 2] === SPACE) {
        kind = 0;
      } else if (c0 === SPACE && buf[p + 2] === SPACE) {
        const c1 = buf[p + 1];
        kind = c1 === 0x4c /* L */ ? 1 : c1 === 0x53 /* S */ ? 2 : c1 === 0x4d /* M */ ? 3 : -1;
        if (kind < 0) this.fail("expected 'I', ' L', ' S' or ' M' access line");
      } else if (c0 === EQUALS && buf[p + 1] === EQUALS) {
        p = buf.indexOf(NL, p) + 1;
        this.line++;
        continue;
      } else {
        this.fail("expected 'I', ' L', ' S' or ' M' access line");
      }
      p += 3;
      let a = 0;
      let digits = 0;
      let d: number;
      while ((d = HEX[buf[p]]) >= 0) {
        a = (a << 4) | d;
        p++;
        digits++;
      }
      if (digits === 0 || buf[p] !== COMMA) this.fail("expected a hex address and ','");
      if (digits > 8) this.fail("address wider than 32 bits (not a 32-bit program's trace?)");
      p++;
      let s = 0;
      let c = buf[p] - 0x30;
      if (c < 0 || c > 9) this.fail("expected a decimal access size after ','");
      do {
        s = s * 10 + c;
        c = buf[++p] - 0x30;
      } while (c >= 0 && c <= 9);
      if (buf[p] === CR) p++;
      if (buf[p] !== NL) this.fail("unexpected characters after the access size");
      p++;
      if (s > MAX_ACCESS_SIZE) this.fail(`access size ${s} is larger than a page`);
      addrs[n] = a;
      kinds[n] = kind;
      sizes[n] = s === 0 ? 1 : s;
      n++;
      this.line++;
    }
    chunk.length = n;
    return p;
  }

  /** Throws a TraceFormatError for the line being parsed. */
  fail(detail: string): never {
    throw new TraceFormatError(this.file, this.line + 1, detail);
  }
}

/**
 * Streams a lackey trace (plain or gzip) as chunks. The same chunk object is
 * refilled each time: consume it before asking for the next.
 */
export async function* readLackey(path: string, capacity = DEFAULT_CHUNK_CAPACITY, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const chunk = new TraceChunk(capacity);
  const parser = new LackeyParser(path, chunk);
  yield* parseLines(path, chunk, (buf, pos, end) => parser.parse(buf, pos, end), onFileBytes);
}
