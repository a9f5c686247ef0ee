/**
 * Writers for the text formats: lackey lines (kind and size kept), page
 * reference strings (the rule of the traces README: each access gives its
 * first page, and a straddling access its second page right after) and
 * the same string as libCacheSim csv (`time,obj_id,obj_size` lines: the
 * reference's 1-based position, its page, size 1).
 * Lines are encoded straight into a large Buffer, no string per line.
 */

import { ByteSink } from "./byte-sink.js";
import { KIND_LETTERS, PAGES_PER_4G, isStraddle, secondPage, type TraceChunk } from "./trace-chunk.js";

const BUFFER_BYTES = 1 << 20;
/** Longest line either writer emits ("I  " + 16 hex + "," + 4 digits + "\n"), with room to spare. */
const MAX_LINE = 32;
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
const LETTER_CODES = KIND_LETTERS.map((l) => l.charCodeAt(0));

/** Writes accesses as text, lackey lines or page numbers. */
export class TextTraceWriter {
  private readonly sink: ByteSink;
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;
  /** Lines written. */
  lines = 0;

  /** Writes to `sink` (which its owner opened, and commits once `close` is done). */
  constructor(
    sink: ByteSink,
    readonly style: "lackey" | "refs" | "csv",
    header?: string,
  ) {
    this.sink = sink;
    if (header) this.pos = this.buf.write(header, 0, "latin1");
  }

  /** Appends every access of the chunk. */
  async write(chunk: TraceChunk): Promise<void> {
    for (let i = 0; i < chunk.length; i++) {
      if (this.pos > BUFFER_BYTES - 2 * MAX_LINE) await this.flush();
      const a = chunk.addr[i] >>> 0;
      if (this.style === "lackey") {
        this.putLackey(chunk.kind[i], chunk.addrHigh[i], a, chunk.size[i]);
      } else {
        // A page string's page may be past 2^20 (a 64-bit program's): its upper bits are in addrHigh.
        const first = chunk.addrHigh[i] * PAGES_PER_4G + (a >>> 12);
        this.putPage(first);
        if (isStraddle(a, chunk.size[i])) this.putPage(secondPage(first));
      }
    }
  }

  /** Writes what is buffered and flushes the sink. */
  async close(): Promise<void> {
    await this.flush();
    await this.sink.close();
  }

  /** One lackey line; an address at or above 4 GiB (upper word `high`) as lackey prints it, with more than 8 digits. */
  private putLackey(kind: number, high: number, a: number, size: number): void {
    const b = this.buf;
    let p = this.pos;
    if (kind === 0) {
      b[p++] = 0x49;
      b[p++] = 0x20;
    } else {
      b[p++] = 0x20;
      b[p++] = LETTER_CODES[kind];
    }
    b[p++] = 0x20;
    if (high !== 0) {
      let top = 28;
      while ((high >>> top) === 0) top -= 4;
      for (let shift = top; shift >= 0; shift -= 4) b[p++] = HEX_DIGITS[(high >>> shift) & 15];
    }
    for (let shift = 28; shift >= 0; shift -= 4) b[p++] = HEX_DIGITS[(a >>> shift) & 15];
    b[p++] = 0x2c;
    this.pos = p;
    this.putDecimal(size);
  }

  /** One page reference: its number (refs), or a csv line. */
  private putPage(page: number): void {
    if (this.style === "csv") {
      this.putNumber(this.lines + 1);
      this.buf[this.pos++] = 0x2c;
      this.putNumber(page);
      this.buf.write(",1", this.pos, "latin1");
      this.pos += 2;
      this.endLine();
    } else {
      this.putDecimal(page);
    }
  }

  /** Writes `n` in decimal and a newline. */
  private putDecimal(n: number): void {
    this.putNumber(n);
    this.endLine();
  }

  private putNumber(n: number): void {
    const b = this.buf;
    let p = this.pos;
    const start = p;
    do {
      b[p++] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    b.subarray(start, p).reverse();
    this.pos = p;
  }

  private endLine(): void {
    this.buf[this.pos++] = 0x0a;
    this.lines++;
  }

  private async flush(): Promise<void> {
    if (this.pos === 0) return;
    const out = this.buf.subarray(0, this.pos);
    if (!this.sink.reusable) this.buf = Buffer.allocUnsafe(BUFFER_BYTES);
    this.pos = 0;
    await this.sink.write(out);
  }
}
