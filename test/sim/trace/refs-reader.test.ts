import { afterAll, describe, expect, it } from "vitest";
import { readRefs } from "../../../src/sim/trace/refs-reader.js";
import { TraceFormatError } from "../../../src/sim/trace/trace-error.js";
import { collect, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("page reference string reader", () => {
  it("turns each page number into a one-byte load at the start of the page", async () => {
    const got = await collect(readRefs(writeFile(tmp.dir, "a.refs", "1\n2\n1048575\n0\n")));
    expect(got).toEqual([
      { addr: 0x1000, kind: 1, size: 1 },
      { addr: 0x2000, kind: 1, size: 1 },
      { addr: 0xfffff000 | 0, kind: 1, size: 1 },
      { addr: 0, kind: 1, size: 1 },
    ]);
  });

  it("skips blank lines and # comments, whole-line or trailing, and reads gzip", async () => {
    const text = "# OSTEP-style string\n\n  7  \n8 # the eighth\r\n\t\n9";
    const got = await collect(readRefs(writeFile(tmp.dir, "b.refs.gz", text)));
    expect(got.map((a) => a.addr >>> 12)).toEqual([7, 8, 9]);
  });

  it("reads long strings in chunks without losing a reference", async () => {
    const pages = Array.from({ length: 50000 }, (_, i) => (i * 7919) % 1000);
    const got = await collect(readRefs(writeFile(tmp.dir, "c.refs", pages.join("\n") + "\n"), 4096));
    expect(got.map((a) => a.addr >>> 12)).toEqual(pages);
  });

  it("names file and line of a bad entry", async () => {
    const file = writeFile(tmp.dir, "bad.refs", "1\n2\nthree\n");
    await expect(collect(readRefs(file))).rejects.toThrow(new TraceFormatError(file, 3, "expected a decimal page number"));
    const big = writeFile(tmp.dir, "big.refs", "1\n1048576\n");
    await expect(collect(readRefs(big))).rejects.toThrow(/big\.refs:2: page number 1048576 is beyond/);
    const two = writeFile(tmp.dir, "two.refs", "1 2\n");
    await expect(collect(readRefs(two))).rejects.toThrow(/two\.refs:1: expected one page number per line/);
  });
});
