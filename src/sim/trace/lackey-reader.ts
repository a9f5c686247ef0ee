/**
 * Valgrind lackey traces (`valgrind --tool=lackey --trace-mem=yes`):
 *
 *   ==11005== Lackey, an example Valgrind tool      (comment: ignored)
 *   I  0401ab70,3                                   (an x86-64 program's fetch...)
 *    S 1fff000d18,8                                 (...and store, above 4 GiB: up to 16 digits)
 *   --11005-- WARNING: unhandled x86-linux syscall  (Valgrind's own message: ignored)
 *   **11005** hello from VALGRIND_PRINTF            (the client program's message: ignored)
 *                                                   (blank line: ignored)
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
import { traceInput, type OnFileBytes, type TraceSource } from "./trace-input.js";
import { MAX_ACCESS_SIZE, PAGES_PER_4G, TraceChunk, DEFAULT_CHUNK_CAPACITY, isStraddle, secondPage, straddlePage } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";
import { addMarkedChunk, KIND_FLAGS, markPage, type TraceSurvey } from "./trace-survey.js";

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DASH = 0x2d;
const STAR = 0x2a;

/** Hex digit value of each byte, -1 for non-digits. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x61 + i] = HEX[0x41 + i] = 10 + i;

/** Value (0..255) of each pair of hex digits, as a big-endian 16-bit load reads them; -1 if either is not a digit. */
const HEX_PAIR = new Int16Array(1 << 16).fill(-1);
// Over the 22 digit characters only: the whole 65,536-pair loop cost every start ~10 ms in the interpreter.
const DIGIT_CODES = [...HEX.keys()].filter((c) => HEX[c] >= 0);
for (const hi of DIGIT_CODES) for (const lo of DIGIT_CODES) HEX_PAIR[(hi << 8) | lo] = (HEX[hi] << 4) | HEX[lo];

/** TRACE_KIND of an access line's first two bytes (`I `, ` L`, ` S`, ` M`), -1 for anything else. */
const KIND_OF_PAIR = new Int8Array(1 << 16).fill(-1);
KIND_OF_PAIR[(0x49 << 8) | SPACE] = 0;
KIND_OF_PAIR[(SPACE << 8) | 0x4c] = 1;
KIND_OF_PAIR[(SPACE << 8) | 0x53] = 2;
KIND_OF_PAIR[(SPACE << 8) | 0x4d] = 3;

/**
 * The fast path: parses lines of exactly `I  xxxxxxxx,N` or ` K xxxxxxxx,N`
 * form (N one or two digits) from buf[p] into the chunk, reading bytes at
 * fixed positions with one table lookup per digit; stops at the first line
 * of any other form, at `end` or when the chunk is full. Returns where it
 * stopped. (Its own function so that the rare general path's property
 * accesses never deoptimize this loop.)
 */
function parseExactLines(buf: Uint8Array, p: number, end: number, chunk: TraceChunk, pages: Uint8Array | null, marks: PageMarks): number {
  const addrs = chunk.addr;
  const kinds = chunk.kind;
  const sizes = chunk.size;
  const cap = chunk.capacity;
  let n = chunk.length;
  let straddles = 0;
  let newPages = 0;
  // Big-endian loads put a line's bytes in reading order: one load yields
  // two or four characters. The last 4-byte load reads buf[p + 14]: stay 15 bytes from the end.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const fastEnd = Math.min(end - 14, buf.length - 15);
  while (p <= fastEnd && n < cap) {
    const kind = KIND_OF_PAIR[view.getUint16(p)];
    const high = view.getInt32(p + 3);
    const low = view.getInt32(p + 7);
    const tail = view.getInt32(p + 11);
    const h0 = HEX_PAIR[high >>> 16];
    const h1 = HEX_PAIR[high & 0xffff];
    const h2 = HEX_PAIR[low >>> 16];
    const h3 = HEX_PAIR[low & 0xffff];
    const s0 = ((tail >>> 16) & 0xff) - 0x30;
    if ((kind | h0 | h1 | h2 | h3) < 0 || buf[p + 2] !== SPACE || tail >>> 24 !== COMMA || s0 < 0 || s0 > 9) break;
    let size = s0;
    const c13 = (tail >>> 8) & 0xff;
    if (c13 === NL) {
      p += 14;
    } else {
      const s1 = c13 - 0x30;
      if (s1 < 0 || s1 > 9 || (tail & 0xff) !== NL) break;
      size = s0 * 10 + s1;
      p += 15;
    }
    if (size === 0) size = 1;
    const a = (h0 << 24) | (h1 << 16) | (h2 << 8) | h3;
    addrs[n] = a;
    kinds[n] = kind;
    sizes[n] = size;
    n++;
    if (pages !== null) {
      // The survey's marking (surveyChunk's loop), done while the access is in registers.
      const flag = KIND_FLAGS[kind];
      const first = a >>> 12;
      const old = pages[first];
      if ((old | flag) !== old) {
        if (old === 0) newPages++;
        pages[first] = old | flag;
      }
      const second = straddlePage(a, size);
      if (second >= 0) {
        straddles++;
        if (pages[second] === 0) newPages++;
        pages[second] |= flag;
      }
    }
  }
  chunk.length = n;
  marks.straddles += straddles;
  marks.newPages += newPages;
  return p;
}

/** What marking a survey's pages counted since the chunk was last handed over. */
interface PageMarks {
  straddles: number;
  newPages: number;
}

/** Marks the pages of one access (at `high` * 4 GiB + `a`) in a survey, counting into `marks` (the general path's surveyChunk step). */
function markAccess(survey: TraceSurvey, high: number, a: number, kind: number, size: number, marks: PageMarks): void {
  const flag = KIND_FLAGS[kind];
  const first = high * PAGES_PER_4G + (a >>> 12);
  if (markPage(survey, first, flag)) marks.newPages++;
  if (isStraddle(a, size)) {
    marks.straddles++;
    if (markPage(survey, secondPage(first), flag)) marks.newPages++;
  }
}

/** Hex digits of the widest address a line may carry (64 bits). */
const MAX_ADDRESS_DIGITS = 16;

/** Parses lackey lines into a chunk; keeps the line number for error messages. */
export class LackeyParser {
  /** Lines consumed so far (messages and blank lines included). */
  line = 0;
  /** Straddles and newly touched pages marked in `pages` since the last `takeMarks`. */
  private readonly marks: PageMarks = { straddles: 0, newPages: 0 };

  /** The survey's flat page flags (below 4 GiB), which the fast path marks. */
  private readonly pages: Uint8Array | null;

  /** With `survey`, marks each access's pages there as it parses. */
  constructor(
    readonly file: string,
    readonly chunk: TraceChunk,
    private readonly survey: TraceSurvey | null = null,
  ) {
    this.pages = survey === null ? null : survey.pages;
  }

  /** Adds the chunk, whose pages this parser marked, to the survey; resets the counts. */
  takeMarks(survey: TraceSurvey): void {
    addMarkedChunk(survey, this.chunk, this.marks.straddles, this.marks.newPages);
    this.marks.straddles = 0;
    this.marks.newPages = 0;
  }

  /**
   * Parses whole lines of buf[pos, end) — buf[end - 1] must be a newline —
   * until the chunk is full or `end` is reached; returns where it stopped.
   *
   * Lackey prints every access as exactly `I  xxxxxxxx,N` or ` K xxxxxxxx,N`
   * (8 lower-case hex digits for a 32-bit program, and for a 64-bit one's
   * addresses below 4 GiB): the fast path reads those bytes at fixed
   * positions, one table lookup per digit. Anything else (messages, blank
   * lines, wider addresses or sizes, CRLF, errors) takes the general path.
   */
  parse(buf: Uint8Array, pos: number, end: number): number {
    const chunk = this.chunk;
    let p = pos;
    while (p < end && chunk.length < chunk.capacity) {
      const before = chunk.length;
      p = parseExactLines(buf, p, end, chunk, this.pages, this.marks);
      this.line += chunk.length - before;
      if (p < end && chunk.length < chunk.capacity) p = this.parseLine(buf, p);
    }
    return p;
  }

  /**
   * Parses the one line at buf[p] (a `==PID==`, `--PID--` or `**PID**` message, a
   * blank line, or an access in any form lackey may print) into the chunk,
   * which has room; returns where the next line starts. An address of 9 to
   * 16 digits is a 64-bit program's: its upper 32 bits go to the chunk's
   * `addrHigh` column, which makes the chunk wide.
   */
  private parseLine(buf: Uint8Array, p: number): number {
    const chunk = this.chunk;
    const c0 = buf[p];
    let kind: number;
    if (c0 === 0x49 /* I */ && buf[p + 1] === SPACE && buf[p + 2] === SPACE) {
      kind = 0;
    } else if (c0 === SPACE && buf[p + 2] === SPACE) {
      const c1 = buf[p + 1];
      kind = c1 === 0x4c /* L */ ? 1 : c1 === 0x53 /* S */ ? 2 : c1 === 0x4d /* M */ ? 3 : -1;
      if (kind < 0) this.fail("expected 'I', ' L', ' S' or ' M' access line");
    } else if ((c0 === EQUALS || c0 === DASH || c0 === STAR) && buf[p + 1] === c0) {
      this.line++;
      return buf.indexOf(NL, p) + 1;
    } else if (c0 === NL || (c0 === CR && buf[p + 1] === NL)) {
      this.line++;
      return p + (c0 === NL ? 1 : 2);
    } else {
      this.fail("expected 'I', ' L', ' S' or ' M' access line");
    }
    p += 3;
    let a = 0;
    let high = 0;
    let digits = 0;
    let d: number;
    while ((d = HEX[buf[p]]) >= 0) {
      high = (high << 4) | (a >>> 28);
      a = (a << 4) | d;
      p++;
      digits++;
    }
    if (digits === 0 || buf[p] !== COMMA) this.fail("expected a hex address and ','");
    if (digits > MAX_ADDRESS_DIGITS) this.fail(`address of ${digits} hex digits is wider than 64 bits`);
    high >>>= 0;
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
    const n = chunk.length;
    chunk.addr[n] = a;
    if (high !== 0) {
      chunk.addrHigh[n] = high;
      chunk.wide = true;
    }
    chunk.kind[n] = kind;
    chunk.size[n] = s === 0 ? 1 : s;
    chunk.length = n + 1;
    if (this.survey !== null) markAccess(this.survey, high, a, kind, s === 0 ? 1 : s, this.marks);
    this.line++;
    return p;
  }

  /** Throws a TraceFormatError for the line being parsed. */
  fail(detail: string): never {
    throw new TraceFormatError(this.file, this.line + 1, detail);
  }
}

/**
 * Streams a lackey trace (plain or gzip) as chunks. The same chunk object is
 * refilled each time: consume it before asking for the next. With `survey`,
 * each chunk is added to it (exactly as surveyChunk would) before it is
 * yielded, its pages marked during the parse itself, which saves the
 * replay's first pass a loop over every access.
 */
export async function* readLackey(
  source: TraceSource,
  capacity = DEFAULT_CHUNK_CAPACITY,
  onFileBytes?: OnFileBytes,
  survey?: TraceSurvey,
): AsyncGenerator<TraceChunk> {
  const input = await traceInput(source, "lackey");
  const chunk = new TraceChunk(capacity);
  const parser = new LackeyParser(input.name, chunk, survey ?? null);
  const lines = parseLines(input, chunk, parser, onFileBytes);
  if (!survey) {
    yield* lines;
    return;
  }
  for await (const c of lines) {
    parser.takeMarks(survey);
    yield c;
  }
}
