/**
 * libCacheSim's csv traces: one request per line, fields split by a
 * delimiter (`,`, tab, `|` or `:`, as its reader detects them), one field
 * the object id — here a page number, decimal or 0x-hex. Each line becomes a
 * one-byte load at the start of that page. The other fields (time, size,
 * operation...) are not used.
 *
 * Which field is the id: a header line names it (obj_id, id, key, page,
 * lbn, ...); without one, a lone field, or the second of three or four
 * (time,obj_id,obj_size[,next_access_vtime]: what vmm386 and traceConv
 * write). Blank lines and `#` comments are skipped.
 */

import { parseLines, type LineParser } from "./line-stream.js";
import { traceInput, type OnFileBytes, type TraceSource } from "./trace-input.js";
import { TRACE_KIND, TraceChunk, DEFAULT_CHUNK_CAPACITY } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";
import { latin1Text } from "./trace-format.js";
import { PAGE_COUNT } from "./trace-survey.js";

const NL = 0x0a;
const CR = 0x0d;
const HASH = 0x23;

/** Delimiters libCacheSim's csv reader recognises, most likely first. */
const DELIMITERS = [",", "\t", "|", ":"];

/** Header names of the object-id column (lower case). */
export const ID_COLUMN_NAMES = ["obj_id", "obj-id", "objid", "object_id", "id", "key", "page", "lbn", "lba", "block", "addr", "address"];

const NUMBER = /^(\d+|0x[0-9a-f]+)$/i;

/** How a csv file's lines are laid out: decided from its first line. */
interface CsvLayout {
  readonly delimiter: number;
  /** 0-based index of the object-id field. */
  readonly idField: number;
  /** The first line is a header (skipped). */
  readonly header: boolean;
}

/** The layout of a csv file from its first line, or what keeps it from being read. */
export function csvLayout(firstLine: string): CsvLayout | string {
  const delimiter = DELIMITERS.find((d) => firstLine.includes(d)) ?? ",";
  const fields = firstLine.split(delimiter).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
  const code = delimiter.charCodeAt(0);
  if (fields.every((f) => NUMBER.test(f) || /^-?\d+(\.\d*)?$/.test(f))) {
    if (fields.length === 1) return { delimiter: code, idField: 0, header: false };
    if (fields.length === 3 || fields.length === 4) return { delimiter: code, idField: 1, header: false };
    return `csv without a header and with ${fields.length} fields: name the object-id column in a header line (obj_id)`;
  }
  const idField = fields.findIndex((f) => ID_COLUMN_NAMES.includes(f.toLowerCase()));
  if (idField < 0) return `csv header names no object-id column (one of ${ID_COLUMN_NAMES.join(", ")})`;
  return { delimiter: code, idField, header: true };
}

/** Parses csv lines into a chunk of page loads, counting lines for error messages. */
export class CsvParser implements LineParser {
  line = 0;
  private layout: CsvLayout | null = null;

  constructor(
    readonly file: string,
    readonly chunk: TraceChunk,
  ) {}

  /** Parses whole lines of buf[pos, end) (buf[end - 1] is a newline) until the chunk fills; returns where it stopped. */
  parse(buf: Uint8Array, pos: number, end: number): number {
    const chunk = this.chunk;
    let p = pos;
    while (p < end && chunk.length < chunk.capacity) {
      const eol = buf.indexOf(NL, p);
      this.line++;
      let stop = eol;
      if (stop > p && buf[stop - 1] === CR) stop--;
      if (!isBlankOrComment(buf, p, stop)) this.parseLine(buf, p, stop);
      p = eol + 1;
    }
    return p;
  }

  private parseLine(buf: Uint8Array, start: number, stop: number): void {
    if (this.layout === null) {
      const layout = csvLayout(latin1Text(buf.subarray(start, stop)));
      if (typeof layout === "string") this.fail(layout);
      this.layout = layout;
      if (layout.header) return;
    }
    const { delimiter, idField } = this.layout;
    let p = start;
    for (let f = 0; f < idField; f++) {
      const d = buf.indexOf(delimiter, p);
      if (d < 0 || d >= stop) this.fail(`expected at least ${idField + 1} fields`);
      p = d + 1;
    }
    let fieldEnd = buf.indexOf(delimiter, p);
    if (fieldEnd < 0 || fieldEnd > stop) fieldEnd = stop;
    const page = parseId(buf, p, fieldEnd);
    if (page < 0) this.badId(latin1Text(buf.subarray(p, fieldEnd)).trim());
    const n = this.chunk.length;
    this.chunk.addr[n] = page << 12;
    this.chunk.kind[n] = TRACE_KIND.LOAD;
    this.chunk.size[n] = 1;
    this.chunk.length = n + 1;
  }

  private badId(text: string): never {
    if (!NUMBER.test(text)) this.fail(`object id '${text}' is not a number (vmm386 reads numeric ids: page numbers)`);
    this.fail(`object id ${text} is not a page number of a 32-bit address space (0..${PAGE_COUNT - 1})`);
  }

  private fail(detail: string): never {
    throw new TraceFormatError(this.file, this.line, detail);
  }
}

/** Hex digit value of each byte, -1 for non-digits. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x61 + i] = HEX[0x41 + i] = 10 + i;

/**
 * The page number in buf[p, end): decimal or 0x-hex, blanks around it;
 * -1 if it is no number or no page number. Bytes only: no string per line.
 */
function parseId(buf: Uint8Array, p: number, end: number): number {
  while (p < end && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
  while (end > p && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  const hex = end - p > 2 && buf[p] === 0x30 && (buf[p + 1] | 0x20) === 0x78;
  const base = hex ? 16 : 10;
  if (hex) p += 2;
  if (p === end) return -1;
  let value = 0;
  for (; p < end; p++) {
    const d = HEX[buf[p]];
    if (d < 0 || d >= base) return -1;
    value = value * base + d;
    if (value >= PAGE_COUNT) return -1;
  }
  return value;
}

function isBlankOrComment(buf: Uint8Array, p: number, stop: number): boolean {
  while (p < stop && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
  return p === stop || buf[p] === HASH;
}

/** Streams a csv trace (plain or gzip) as chunks of one-byte loads; the chunk is reused. */
export async function* readCsv(source: TraceSource, capacity = DEFAULT_CHUNK_CAPACITY, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const input = await traceInput(source, "csv");
  const chunk = new TraceChunk(capacity);
  const parser = new CsvParser(input.name, chunk);
  yield* parseLines(input, chunk, parser, onFileBytes);
}
