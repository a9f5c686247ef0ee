import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as path from "node:path";
import { readLackey } from "../../../src/sim/trace/lackey-reader.js";
import { TraceFormatError } from "../../../src/sim/trace/trace-error.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import { TRACE_KIND } from "../../../src/sim/trace/trace-chunk.js";
import { emptySurvey, surveyChunk, type TraceSurvey } from "../../../src/sim/trace/trace-survey.js";
import { FIXTURES, accessAt, collect, expectSameAccesses, fixtureText, naiveLackey, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

async function parse(text: string, name = "t.lackey"): Promise<ReturnType<typeof collect>> {
  return collect(readLackey(writeFile(tmp.dir, name, text)));
}

async function failure(text: string): Promise<TraceFormatError> {
  try {
    await parse(text, "bad.lackey");
  } catch (e) {
    if (e instanceof TraceFormatError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("lackey reader", () => {
  it("reads I, L, S and M lines with address, kind and size, skipping ==PID== comments", async () => {
    const text = "==11005== Lackey\n==11005== \nI  08049b00,2\n L feffddd0,4\n S feffddcc,4\n M 082427b0,16\n";
    expect(await parse(text)).toEqual([
      { addr: 0x08049b00, kind: TRACE_KIND.FETCH, size: 2 },
      { addr: 0xfeffddd0 | 0, kind: TRACE_KIND.LOAD, size: 4 },
      { addr: 0xfeffddcc | 0, kind: TRACE_KIND.STORE, size: 4 },
      { addr: 0x082427b0, kind: TRACE_KIND.MODIFY, size: 16 },
    ]);
  });

  it("reads a gzip'd trace exactly as a plain regular-expression parser does, across buffer boundaries", async () => {
    const expected = naiveLackey(fixtureText("tiny-static.lackey.gz"));
    const got = await collect(readLackey(path.join(FIXTURES, "tiny-static.lackey.gz"), 1000));
    expect(got.length).toBe(71389);
    expectSameAccesses(got, expected);
  });

  it("reads a plain-text trace and a last line without a newline", async () => {
    expect(await parse("I  00001000,3\n L 00002000,1")).toEqual([
      { addr: 0x1000, kind: 0, size: 3 },
      { addr: 0x2000, kind: 1, size: 1 },
    ]);
    const expected = naiveLackey(fixtureText("tiny-dyn-head.lackey"));
    expectSameAccesses(await collect(readLackey(path.join(FIXTURES, "tiny-dyn-head.lackey"))), expected);
  });

  it("skips Valgrind's own --PID-- messages and blank lines, plain or gzip'd, and still names the line of what follows", async () => {
    const text =
      "==1234== Lackey, an example Valgrind tool\n\nI  08049b00,2\n" +
      "--1234-- WARNING: unhandled x86-linux syscall: 999\n--1234-- You may be able to write your own handler.\n" +
      " L feffddd0,4\r\n\r\n S feffddcc,4\n\n==1234== \n";
    const accesses = [
      { addr: 0x08049b00, kind: TRACE_KIND.FETCH, size: 2 },
      { addr: 0xfeffddd0 | 0, kind: TRACE_KIND.LOAD, size: 4 },
      { addr: 0xfeffddcc | 0, kind: TRACE_KIND.STORE, size: 4 },
    ];
    expect(await parse(text)).toEqual(accesses);
    expect(await collect(readTrace(writeFile(tmp.dir, "messages.lackey.gz", text)))).toEqual(accesses);
    // Detected as lackey even when a --PID-- message comes first.
    expect(await collect(readTrace(writeFile(tmp.dir, "dash-first.lackey", `--7-- x\n${text}`)))).toEqual(accesses);
    const e = await failure(`${text}I  0000100,\n`);
    expect(e.line).toBe(11);
    expect(e.detail).toMatch(/decimal access size/);
  });

  it("skips the client program's **PID** messages, and detects a trace that starts with one as lackey", async () => {
    const text = "**99** hello from VALGRIND_PRINTF\nI  08049b00,2\n**99** bye\r\n S feffddcc,4\n";
    const accesses = [
      { addr: 0x08049b00, kind: TRACE_KIND.FETCH, size: 2 },
      { addr: 0xfeffddcc | 0, kind: TRACE_KIND.STORE, size: 4 },
    ];
    expect(await parse(text)).toEqual(accesses);
    expect(await collect(readTrace(writeFile(tmp.dir, "star-first.lackey.gz", text)))).toEqual(accesses);
    const e = await failure(`${text}*99 x\n`);
    expect(e.line).toBe(5);
  });

  it("reads a 64-bit program's addresses above 4 GiB (up to 16 digits) into the upper-word column", async () => {
    const text = "I  0401ab70,3\n S 1fff000d18,8\n L ffffffffffffeff0,16\n M 7fffffffe000,4\n";
    expect(await parse(text)).toEqual([
      accessAt(0x0401ab70n, 0, 3),
      accessAt(0x1fff000d18n, 2, 8),
      accessAt(0xffffffffffffeff0n, 1, 16),
      accessAt(0x7fffffffe000n, 3, 4),
    ]);
  });

  it("treats a size of 0 as 1 and accepts CRLF line ends", async () => {
    expect(await parse("I  00001000,0\r\n")).toEqual([{ addr: 0x1000, kind: 0, size: 1 }]);
  });

  it("names the file and line of a malformed line", async () => {
    const e = await failure("==1== x\nI  00001000,3\n X 00002000,4\n");
    expect(e.message).toBe(`${path.join(tmp.dir, "bad.lackey")}:3: expected 'I', ' L', ' S' or ' M' access line`);
    expect(e.line).toBe(3);
  });

  it("rejects a missing size, a non-hex address, trailing junk and an address wider than 64 bits", async () => {
    expect((await failure("I  00001000\n")).detail).toMatch(/hex address and ','/);
    expect((await failure(" L 0000x000,4\n")).detail).toMatch(/hex address/);
    expect((await failure(" L 00001000,\n")).detail).toMatch(/decimal access size/);
    expect((await failure(" L 00001000,4 x\n")).detail).toMatch(/unexpected characters/);
    const e = await failure("I  00001000,3\n L 10000000400001000,4\n");
    expect(e.message).toBe(`${path.join(tmp.dir, "bad.lackey")}:2: address of 17 hex digits is wider than 64 bits`);
    expect((await failure(" L 00001000,5000\n")).detail).toMatch(/larger than a page/);
    expect((await failure(" \n")).line).toBe(1);
    expect((await failure("-1234- x\n")).line).toBe(1);
  });

  it("reports a truncated gzip stream as an error naming the file", async () => {
    const whole = writeFile(tmp.dir, "whole.lackey.gz", "I  00001000,3\n".repeat(5000));
    const fs = await import("node:fs");
    const bytes = fs.readFileSync(whole);
    const cut = path.join(tmp.dir, "cut.lackey.gz");
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    await expect(collect(readLackey(cut))).rejects.toThrow(/cut\.lackey\.gz: cannot read/);
  });
});

/** Two surveys agree in every count and every page's flags, above 4 GiB too. */
function expectSameSurvey(a: TraceSurvey, b: TraceSurvey): void {
  const { pages: pa, wide: wa, ...ca } = a;
  const { pages: pb, wide: wb, ...cb } = b;
  expect(ca).toEqual(cb);
  expect(Buffer.compare(pa, pb)).toBe(0);
  const flagsAbove = (w: TraceSurvey["wide"]) => Array.from(w.sorted(), (p) => [p, w.flags(p)]);
  expect(flagsAbove(wa)).toEqual(flagsAbove(wb));
}

/** One access as lackey might print it, in any of the forms the reader accepts, with what it must read. */
const accessLine = fc
  .record({
    addr: fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map(BigInt),
      fc.bigInt({ min: 0x100000000n, max: 0x7fffffffffffn }), // x86-64 user space
      fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
    ),
    kind: fc.integer({ min: 0, max: 3 }),
    size: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 99 }), fc.integer({ min: 100, max: 4096 })),
    digits: fc.oneof(fc.constant(8), fc.integer({ min: 1, max: 8 })),
    upper: fc.boolean(),
    crlf: fc.boolean(),
    before: fc.constantFrom("", "==42== note\n", "--42-- WARNING: unhandled x86-linux syscall: 999\n", "**42** client message\n", "\n", "\r\n"),
  })
  .map((r) => {
    let hex = r.addr.toString(16);
    hex = hex.length >= r.digits ? hex : hex.padStart(r.digits, "0");
    if (r.upper) hex = hex.toUpperCase();
    const text = `${["I ", " L", " S", " M"][r.kind]} ${hex},${r.size}${r.crlf ? "\r\n" : "\n"}`;
    const access = accessAt(r.addr, r.kind, r.size === 0 ? 1 : r.size);
    return { text: r.before + text, access };
  });

describe("lackey reader, every form of line", () => {
  it("reads exactly what was printed — 8-digit or shorter or 64-bit, lower- or upper-case addresses, sizes of 1 to 4 digits, CRLF, messages, blank lines — whatever the chunk size", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(accessLine, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 }), async (lines, capacity) => {
        const file = writeFile(tmp.dir, `prop-${run++}.lackey`, lines.map((l) => l.text).join(""));
        expect(await collect(readLackey(file, capacity))).toEqual(lines.map((l) => l.access));
      }),
      { numRuns: 200 },
    );
  });

  it("surveys while parsing exactly as surveyChunk does over the chunks it yields", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(accessLine, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 }), async (lines, capacity) => {
        const file = writeFile(tmp.dir, `survey-${run++}.lackey`, lines.map((l) => l.text).join(""));
        const fused = emptySurvey();
        const separate = emptySurvey();
        for await (const c of readLackey(file, capacity, undefined, fused)) surveyChunk(separate, c);
        expectSameSurvey(fused, separate);
      }),
      { numRuns: 100 },
    );
    const fused = emptySurvey();
    const separate = emptySurvey();
    for await (const c of readLackey(path.join(FIXTURES, "tiny-static.lackey.gz"), 1000, undefined, fused)) surveyChunk(separate, c);
    expectSameSurvey(fused, separate);
    expect(fused.accesses).toBe(71389);
  });

  it("names the right line when a malformed line follows lines read by the fast path", async () => {
    const e = await failure("I  00001000,3\n L 00002000,4\n S 0000300g,4\n");
    expect(e.line).toBe(3);
    expect(e.detail).toMatch(/hex address/);
  });
});

describe("reading progress", () => {
  it("reports every byte read from the file, plain or gzip'd, without disturbing the stream", async () => {
    const fs = await import("node:fs");
    for (const name of ["tiny-dyn-head.lackey", "tiny-static.lackey.gz"]) {
      const file = path.join(FIXTURES, name);
      let bytes = 0;
      const got = await collect(readLackey(file, 4096, (n) => (bytes += n)));
      expect(bytes).toBe(fs.statSync(file).size);
      expectSameAccesses(got, naiveLackey(fixtureText(name)));
    }
  });
});
