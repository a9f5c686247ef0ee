import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { convertTrace, formatFromName } from "../../../src/sim/trace/convert.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import { detectFormat } from "../../../src/sim/trace/trace-input.js";
import { replayPolicyOnly } from "../../../src/sim/trace/policy-only.js";
import { replayLayout } from "../../../src/sim/trace/replay.js";
import { pageDelta } from "../../../src/sim/trace/page-deltas.js";
import { emptySurvey, surveyChunk } from "../../../src/sim/trace/trace-survey.js";
import { loadRefsFixture, refsText } from "../../helpers/refs-fixture.js";
import { FIXTURES, collect, referenceString, fixtureText, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const LCS = path.join(import.meta.dirname, "../../fixtures/libcachesim");
const HEAD = path.join(FIXTURES, "busybox-awk-head.lackey.gz");
const EXPECTED = JSON.parse(fs.readFileSync(path.join(LCS, "expected.json"), "utf8")) as {
  "busybox-awk-head": { frames: number[]; misses: Record<string, number[]> };
  "awk-5k": { frames: number[]; misses: Record<string, number[]> };
  "busybox-awk-200k": { bytes: number; sha256: string; frames: number[]; misses: Record<string, number[]> };
};

/** The page numbers of a trace file, in order. */
async function pagesOf(file: string): Promise<number[]> {
  return (await collect(readTrace(file))).map((a) => (a.addr >>> 0) >>> 12);
}

/** A text file of one page number per line. */
function refsFile(name: string, pages: ArrayLike<number>): string {
  return writeFile(tmp.dir, name, refsText(pages));
}

/** Misses of `policy` at each of `frames` on a trace file, by vmm386's policy-only replay. */
async function missesOn(file: string, policy: "lru" | "fifo" | "clock" | "opt", frames: number[], clockR0 = false): Promise<number[]> {
  const out: number[] = [];
  for (const f of frames) out.push((await replayPolicyOnly(file, { frames: f, policy, faultSetsReferenced: !clockR0 })).misses);
  return out;
}

describe("libCacheSim's oracleGeneral format", () => {
  const og = path.join(LCS, "awk-5k.oracleGeneral.bin.gz");
  const awk5k = loadRefsFixture("busybox-awk").subarray(0, 5000);

  it("is recognised, and a file traceConv wrote reads as the page string it came from", async () => {
    expect(await detectFormat(og)).toBe("oracleGeneral");
    expect(await pagesOf(og)).toEqual(Array.from(awk5k));
  });

  it("is recognised with every next-access field -1 (not computed), and reads as the same page string", async () => {
    const records = zlib.gunzipSync(fs.readFileSync(og));
    for (let at = 16; at < records.length; at += 24) records.fill(0xff, at, at + 8);
    const unknown = writeFile(tmp.dir, "no-next.oracleGeneral.bin", records);
    expect(await detectFormat(unknown)).toBe("oracleGeneral");
    expect(await pagesOf(unknown)).toEqual(Array.from(awk5k));
  });

  it("is written byte for byte as traceConv writes it", async () => {
    const out = path.join(tmp.dir, "awk5k.oracleGeneral.bin");
    const r = await convertTrace(refsFile("awk5k.refs", awk5k), out, "oracleGeneral");
    expect(r).toMatchObject({ from: "refs", to: "oracleGeneral", written: 5000, mapped: false });
    // Buffer.compare, not toEqual: its element-by-element walk over 120,000 bytes was most of the test's time.
    expect(Buffer.compare(fs.readFileSync(out), zlib.gunzipSync(fs.readFileSync(og)))).toBe(0);
  });

  it("from the first 200,000 references of busybox-awk, gives the bytes of the public sample", async () => {
    const out = path.join(tmp.dir, "awk200k.oracleGeneral.bin");
    await convertTrace(refsFile("awk200k.refs", loadRefsFixture("busybox-awk").subarray(0, 200000)), out, "oracleGeneral");
    const bytes = fs.readFileSync(out);
    expect(bytes.length).toBe(EXPECTED["busybox-awk-200k"].bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(EXPECTED["busybox-awk-200k"].sha256);
    // So what vmm386 reads back is the sample: libCacheSim's counts on it.
    const { frames, misses } = EXPECTED["busybox-awk-200k"];
    expect(await missesOn(out, "lru", frames)).toEqual(misses.LRU);
    expect(await missesOn(out, "opt", frames)).toEqual(misses.Belady);
  });

  it("gives libCacheSim's LRU, FIFO and Belady counts at every size (OPT from next uses vmm386 computes)", async () => {
    const { frames, misses } = EXPECTED["awk-5k"];
    expect(await missesOn(og, "lru", frames)).toEqual(misses.LRU);
    expect(await missesOn(og, "fifo", frames)).toEqual(misses.FIFO);
    expect(await missesOn(og, "opt", frames)).toEqual(misses.Belady);
  });
});

describe("libCacheSim's csv, txt and u64 forms", () => {
  it("reads traceConv's csv (time,id,size,next, no header) as the page string", async () => {
    const csv = path.join(LCS, "awk-5k.traceconv.csv.gz");
    expect(await detectFormat(csv)).toBe("csv");
    expect(await pagesOf(csv)).toEqual(Array.from(loadRefsFixture("busybox-awk").subarray(0, 5000)));
  });

  it("finds the id column of a csv by its header name, with any of libCacheSim's delimiters", async () => {
    const csv = writeFile(tmp.dir, "h.csv", "version|time|op|size|lbn\n1|5|2a|512|7\n1|6|2a|512|0x10\n\n# note\n1|7|2a|512|7\n");
    expect(await pagesOf(csv)).toEqual([7, 16, 7]);
  });

  it("round-trips csv, txt and u64, plain and gzip'd, each recognised by its bytes", async () => {
    const pages = [5, 5, 1048575, 0, 77, 5];
    const src = refsFile("p.refs", pages);
    for (const name of ["p.csv", "p.txt", "p.u64", "p.u64.gz", "p.csv.gz"]) {
      const out = path.join(tmp.dir, name);
      const to = formatFromName(out);
      expect(to).toBeDefined();
      await convertTrace(src, out, to as "csv");
      expect(await pagesOf(out)).toEqual(pages);
    }
    expect(fs.readFileSync(path.join(tmp.dir, "p.csv"), "latin1")).toBe("time,obj_id,obj_size\n1,5,1\n2,5,1\n3,1048575,1\n4,0,1\n5,77,1\n6,5,1\n");
    expect(fs.readFileSync(path.join(tmp.dir, "p.txt"), "latin1")).toBe("5\n5\n1048575\n0\n77\n5\n");
    expect(await detectFormat(path.join(tmp.dir, "p.u64"))).toBe("u64");
    expect(await detectFormat(path.join(tmp.dir, "p.txt"))).toBe("refs"); // libCacheSim's txt is a reference string
  });

  it("replaces an earlier output of each format without --force, as vmm386's own", async () => {
    const src = refsFile("again.refs", [1, 2, 3]);
    for (const name of ["again.txt", "again.csv", "again.u64", "again.oracleGeneral.bin"]) {
      const out = path.join(tmp.dir, name);
      await convertTrace(src, out, formatFromName(out) as "csv");
      await expect(convertTrace(src, out, formatFromName(out) as "csv")).resolves.toMatchObject({ written: 3 });
    }
  });

  it("names formats by file name", () => {
    expect(formatFromName("x.oracleGeneral.bin")).toBe("oracleGeneral");
    expect(formatFromName("x.oracleGeneral.bin.gz")).toBe("oracleGeneral");
    expect(formatFromName("x.bin")).toBe("binary");
    expect(formatFromName("x.csv")).toBe("csv");
    expect(formatFromName("x.txt")).toBe("txt");
    expect(formatFromName("x.u64")).toBe("u64");
  });
});

describe("vmm386 convert to libCacheSim formats", () => {
  it("writes a lackey trace's pages as the replay maps them; libCacheSim counts what vmm386 counts", async () => {
    const { frames, misses } = EXPECTED["busybox-awk-head"];
    const survey = emptySurvey();
    for await (const c of readTrace(HEAD)) surveyChunk(survey, c);
    const deltas = replayLayout(survey).deltas;
    const mapped = referenceString(fixtureText("busybox-awk-head.lackey.gz")).map((p) => (((p << 12) + pageDelta(deltas, p)) >>> 0) >>> 12);
    for (const name of ["h.oracleGeneral.bin", "h.csv", "h.txt", "h.u64"]) {
      const out = path.join(tmp.dir, name);
      const r = await convertTrace(HEAD, out, formatFromName(name) as "csv");
      expect(r.mapped).toBe(true);
      expect(await pagesOf(out)).toEqual(mapped);
    }
    const og = path.join(tmp.dir, "h.oracleGeneral.bin");
    // libCacheSim's counts on these files (expected.json) = vmm386's on the lackey trace itself.
    expect(await missesOn(HEAD, "lru", frames)).toEqual(misses.LRU);
    expect(await missesOn(HEAD, "fifo", frames)).toEqual(misses.FIFO);
    expect(await missesOn(HEAD, "clock", frames, true)).toEqual(misses.Clock);
    expect(await missesOn(HEAD, "opt", frames)).toEqual(misses.Belady);
    expect(await missesOn(og, "opt", frames)).toEqual(misses.Belady);
  });

  it("with rawPages writes the trace's own page numbers (its reference string)", async () => {
    const out = path.join(tmp.dir, "raw.u64");
    const r = await convertTrace(HEAD, out, "u64", { rawPages: true });
    expect(r.mapped).toBe(false);
    expect(await pagesOf(out)).toEqual(referenceString(fixtureText("busybox-awk-head.lackey.gz")));
  });
});

describe("libCacheSim formats on bad input", () => {
  it("names the record of an object id that is no page number", async () => {
    const bytes = Buffer.alloc(48);
    bytes.writeBigUInt64LE(3n, 0);
    bytes.writeBigUInt64LE(1n << 40n, 8);
    const f = writeFile(tmp.dir, "big.u64", bytes);
    await expect(collect(readTrace(f, "u64"))).rejects.toThrow(`${f}: record 2 (byte 8): object id 1099511627776 is not a page number of a 32-bit address space (0..1048575)`);
  });

  it("names a truncated last record", async () => {
    const f = writeFile(tmp.dir, "cut.oracleGeneral.bin", zlib.gunzipSync(fs.readFileSync(path.join(LCS, "awk-5k.oracleGeneral.bin.gz"))).subarray(0, 24 * 10 + 5));
    expect(await detectFormat(f)).toBe("oracleGeneral");
    await expect(collect(readTrace(f))).rejects.toThrow(`${f}: truncated: 5 bytes after record 10 (oracleGeneral records are 24 bytes)`);
  });

  it("names the csv line whose id is not a page number, and a header without an id column", async () => {
    const bad = writeFile(tmp.dir, "bad.csv", "time,obj_id\n1,5\n2,abc\n");
    await expect(collect(readTrace(bad))).rejects.toThrow(`${bad}:3: object id 'abc' is not a number`);
    const noId = writeFile(tmp.dir, "noid.csv", "time,size\n1,5\n");
    await expect(collect(readTrace(noId))).rejects.toThrow(`${noId}:1: csv header names no object-id column`);
    const wide = writeFile(tmp.dir, "wide.csv", "1,2,3,4,5\n");
    await expect(collect(readTrace(wide))).rejects.toThrow(`${wide}:1: csv without a header and with 5 fields`);
  });

  it("refuses binary bytes that are neither oracleGeneral nor u64 page numbers", async () => {
    const f = writeFile(tmp.dir, "junk.bin", Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    await expect(detectFormat(f)).rejects.toThrow(`${f}: not a trace vmm386 knows (expected valgrind lackey lines, one page number per line, a csv, or a vmm386 or libCacheSim binary trace)`);
  });
});
