/**
 * Test/bench helper: the page reference string of a (gzip'd) valgrind lackey
 * trace, by the rule of ../shared/traces/README.md — every access line emits
 * its first page, and its last page too when the access straddles a 4 KiB
 * boundary. Not the product's trace reader (that is src/sim/trace/); this
 * one only builds fixtures and bench inputs.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** Reads the whole reference string of `path` (.gz or plain) into one Int32Array. */
export async function readLackeyPages(path: string): Promise<Int32Array> {
  let out = new Int32Array(1 << 20);
  let n = 0;
  let carry = "";
  const source = createReadStream(path);
  const stream = path.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  const push = (page: number): void => {
    if (n === out.length) {
      const bigger = new Int32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = page;
  };
  const line = (text: string): void => {
    if (text.length === 0 || text.startsWith("==")) return;
    const comma = text.indexOf(",", 3);
    const addr = parseInt(text.slice(3, comma), 16);
    const size = Math.max(1, parseInt(text.slice(comma + 1), 10));
    const first = Math.floor(addr / 4096);
    const last = Math.floor((addr + size - 1) / 4096);
    push(first);
    if (last !== first) push(last);
  };
  for await (const data of stream) {
    const text = carry + (data as Buffer).toString("latin1");
    const lines = text.split("\n");
    carry = lines.pop() ?? "";
    for (const l of lines) line(l);
  }
  line(carry);
  return out.slice(0, n);
}
