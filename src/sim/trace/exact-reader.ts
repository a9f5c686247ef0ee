/**
 * Exact byte counts out of a stream of byte arrays of any sizes: what the
 * binary readers pull from a gzip'd file or a stream (trace-input.ts), and
 * from a page's upload (trace-input.web.ts). Host-free.
 */
import type { ExactInput } from "./trace-input.js";

/** Pulls exact byte counts out of a stream of Buffers of arbitrary sizes. */
export class ExactReader implements ExactInput {
  private readonly it: AsyncIterator<Uint8Array>;
  private cur: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Bytes delivered so far (for error messages). */
  offset = 0;

  constructor(stream: AsyncIterable<Uint8Array>) {
    this.it = stream[Symbol.asyncIterator]();
  }

  /** Copies up to n bytes into dst[0, n); returns how many (less only at end of stream). */
  async read(dst: Uint8Array, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (this.pos === this.cur.length) {
        const next = await this.it.next();
        if (next.done) break;
        this.cur = next.value;
        this.pos = 0;
        continue;
      }
      const take = Math.min(n - got, this.cur.length - this.pos);
      dst.set(this.cur.subarray(this.pos, this.pos + take), got);
      this.pos += take;
      got += take;
    }
    this.offset += got;
    return got;
  }

  /** Stops the underlying stream early. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
