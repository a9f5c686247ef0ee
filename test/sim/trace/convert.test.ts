import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { convertTrace, formatFromName } from "../../../src/sim/trace/convert.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import { detectFormat } from "../../../src/sim/trace/trace-input.js";
import { FIXTURES, collect, fixtureText, tempDir, writeFile, referenceString } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const TINY = path.join(FIXTURES, "tiny-static.lackey.gz");

describe("trace format detection", () => {
  it("recognises lackey, reference strings and binary, plain or gzip'd", async () => {
    expect(await detectFormat(TINY)).toBe("lackey");
    expect(await detectFormat(path.join(FIXTURES, "tiny-dyn-head.lackey"))).toBe("lackey");
    expect(await detectFormat(writeFile(tmp.dir, "x", "# comment\n\n12\n13\n"))).toBe("refs");
    expect(await detectFormat(writeFile(tmp.dir, "y.gz", " S 00001000,4\n"))).toBe("lackey");
    const bin = path.join(tmp.dir, "z.bin");
    await convertTrace(TINY, bin, "binary");
    expect(await detectFormat(bin)).toBe("binary");
  });

  it("names the file of a damaged gzip stream", async () => {
    const f = writeFile(tmp.dir, "damaged", Uint8Array.of(0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    await expect(detectFormat(f)).rejects.toThrow(`${f}: cannot read`);
  });

  it("names the file of something that is no trace", async () => {
    const f = writeFile(tmp.dir, "junk.txt", "\nhello world\n");
    await expect(detectFormat(f)).rejects.toThrow(`${f}:2: not a trace vmm386 knows`);
  });
});

describe("vmm386 convert", () => {
  it("lackey -> binary -> lackey gives back every access line, kind and size kept", async () => {
    const bin = path.join(tmp.dir, "t.bin");
    const back = path.join(tmp.dir, "t.lackey");
    const r = await convertTrace(TINY, bin, "binary");
    expect(r).toEqual({ from: "lackey", to: "binary", accesses: 71389, written: 71389, mapped: false });
    await convertTrace(bin, back, "lackey");
    const original = fixtureText("tiny-static.lackey.gz")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("=="));
    expect(fs.readFileSync(back, "latin1").split("\n").slice(0, -1)).toEqual(original);
  });

  it("-> refs follows the README rule: a straddling access gives both pages", async () => {
    const out = path.join(tmp.dir, "t.refs.gz");
    const r = await convertTrace(TINY, out, "refs");
    const expected = referenceString(fixtureText("tiny-static.lackey.gz"));
    expect(r.written).toBe(71417); // 71,389 accesses + 28 straddling
    expect(expected.length).toBe(71417);
    const got = await collect(readTrace(out));
    expect(got.map((a) => a.addr >>> 12)).toEqual(expected);
  });

  it("refs -> lackey writes one-byte loads", async () => {
    const src = writeFile(tmp.dir, "s.refs", "3\n4\n");
    const out = path.join(tmp.dir, "s.lackey");
    await convertTrace(src, out, "lackey");
    expect(fs.readFileSync(out, "latin1")).toBe(" L 00003000,1\n L 00004000,1\n");
  });

  it("guesses the output format from the file name", () => {
    expect(formatFromName("a.bin")).toBe("binary");
    expect(formatFromName("a.refs.gz")).toBe("refs");
    expect(formatFromName("a.lackey.gz")).toBe("lackey");
    expect(formatFromName("a.out")).toBeUndefined();
  });
});

describe("vmm386 convert on bad input", () => {
  it("reports the bad line and leaves no half-written output", async () => {
    const src = writeFile(tmp.dir, "bad.lackey", "I  00001000,4\n".repeat(100) + "garbage\n");
    const out = path.join(tmp.dir, "bad.bin");
    await expect(convertTrace(src, out, "binary")).rejects.toThrow(`${src}:101: expected 'I', ' L', ' S' or ' M' access line`);
    expect(fs.existsSync(out)).toBe(false);
  });
});
