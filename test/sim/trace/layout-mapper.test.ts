import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { LayoutError, mapAddress, planLayout, formatMapping, type LayoutMapping } from "../../../src/sim/trace/layout-mapper.js";
import { PAGE_FLAG, emptySurvey, surveyChunk, type TraceSurvey } from "../../../src/sim/trace/trace-survey.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import {
  USER_CODE_BASE,
  USER_HEAP_BASE,
  USER_SHARED_BASE,
  USER_STACK_BASE,
  USER_STACK_TOP,
} from "../../../src/kernel/layout.js";
import { FIXTURES } from "./helpers.js";

/** A survey with pages [from, to) marked with `flags`. */
function survey(...ranges: [number, number, number][]): TraceSurvey {
  const s = emptySurvey();
  for (const [from, to, flags] of ranges) for (let p = from; p < to; p++) s.pages[p] |= PAGE_FLAG.TOUCHED | flags;
  return s;
}
const F = PAGE_FLAG.FETCHED;
const W = PAGE_FLAG.WRITTEN;

/** The EYN-OS page a touched trace page lands on. */
function mapped(m: LayoutMapping, page: number): number {
  return mapAddress(m, page * 4096) >>> 12;
}

async function surveyOf(file: string): Promise<TraceSurvey> {
  const s = emptySurvey();
  for await (const c of readTrace(file)) surveyChunk(s, c);
  return s;
}

/** Every touched page maps into user space, onto a page no other trace page maps to. */
function expectInjectiveIntoUserSpace(s: TraceSurvey, m: LayoutMapping): void {
  // An index loop over the flags of every 32-bit page (2^20 of them), not Array.from(keys()).filter: ~0.3 s a survey.
  const touched: number[] = [];
  for (let p = 0; p < s.pages.length; p++) if (s.pages[p] !== 0) touched.push(p);
  touched.push(...s.wide.sorted());
  const targets = touched.map((p) => mapAddress(m, p * 4096) >>> 12);
  const outside = targets.filter((q) => q * 4096 < USER_CODE_BASE || q * 4096 >= USER_STACK_TOP);
  expect(outside).toEqual([]);
  expect(new Set(targets).size).toBe(touched.length);
}

describe("layout mapper", () => {
  // A BusyBox-like layout: text (fetched), data (written), a gap, the brk heap; mmap area; the stack at 0xFEFFxxxx.
  const linux = survey([0x08048, 0x08050, F], [0x08060, 0x08062, W], [0x08064, 0x08070, W], [0x04000, 0x04031, W], [0xfeffc, 0xfeffe, W]);

  it("puts text/data at USER_CODE_BASE, the brk heap at USER_HEAP_BASE, mmap at USER_SHARED_BASE, the stack below USER_STACK_TOP", () => {
    const m = planLayout(linux);
    expect(m.regions.map((r) => [r.kind, r.traceStart, r.eynStart, r.pages])).toEqual([
      ["mmap", 0x04000, USER_SHARED_BASE >>> 12, 0x31],
      ["code", 0x08048, USER_CODE_BASE >>> 12, 8 + 2],
      ["heap", 0x08064, USER_HEAP_BASE >>> 12, 12],
      ["stack", 0xfeffc, (USER_STACK_TOP >>> 12) - 2, 2],
    ]);
    expect(m.heapBreak).toBe(USER_HEAP_BASE + 12 * 4096);
    expect(mapped(m, 0xfeffd)).toBe((USER_STACK_TOP >>> 12) - 1);
  });

  it("keeps the offset within the page and the distance between pages of a region", () => {
    const m = planLayout(linux);
    expect(mapAddress(m, 0x08048abc)).toBe(USER_CODE_BASE + 0xabc);
    expect(mapAddress(m, 0x08061ffe) - mapAddress(m, 0x08048000)).toBe(0x08061ffe - 0x08048000);
    expect(mapAddress(m, 0xfeffdfe4)).toBe(0xbfffffe4);
    expect(mapAddress(m, 0xfeffc010)).toBe(0xbfffe010);
  });

  it("prints the mapping as a table", () => {
    expect(formatMapping(planLayout(linux)).split("\n")[2]).toBe(
      "0x08048000-0x08064000 -> 0x00400000-0x0041c000     10  code",
    );
  });

  it("splits code/data from the heap where told (brkStart), and refuses a brk start outside the image", () => {
    const m = planLayout(linux, { brkStart: 0x08061abc }); // rounded up to the page 0x08062000
    expect(m.regions.filter((r) => r.kind !== "mmap").map((r) => [r.kind, r.traceStart, r.traceEnd])).toEqual([
      ["code", 0x08048, 0x08062],
      ["heap", 0x08062, 0x08070],
      ["stack", 0xfeffc, 0xfeffe],
    ]);
    expect(() => planLayout(linux, { brkStart: 0x09000000 })).toThrow(/brk start 0x09000000 is not inside the program image's pages/);
  });

  it("a brk start at the image's first page says the heap comes after the code and data, not that it is outside", () => {
    expect(() => planLayout(linux, { brkStart: 0x08048000 })).toThrow(
      new LayoutError(
        "brk start 0x08048000 is where the program image's pages (0x08048000-0x08070000) begin: the heap starts after the program's code and data (the end of its last LOAD segment)",
      ),
    );
  });

  it("prints the last page of the address space as ending at 0x100000000", () => {
    const m = planLayout(survey([0xfffff, 0x100000, W]));
    expect(formatMapping(m).split("\n")[1]).toBe("0xfffff000-0x100000000 -> 0xbffff000-0xc0000000      1  stack");
  });

  it("maps a reference string of small page numbers into the shared region", () => {
    const m = planLayout(survey([0, 10, 0]));
    expect(m.regions).toEqual([{ kind: "mmap", traceStart: 0, traceEnd: 10, eynStart: USER_SHARED_BASE >>> 12, pages: 10 }]);
  });

  it("packs a class too spread out for its region cluster by cluster, still one delta per cluster", () => {
    const s = survey([0x04000, 0x04004, W], [0x90000, 0x90003, W]); // 2.2 GiB apart, more than the 768 MiB shared region
    const m = planLayout(s);
    expect(m.regions.map((r) => [r.traceStart, r.eynStart])).toEqual([
      [0x04000, 0x80000],
      [0x90000, 0x80005],
    ]);
    expectInjectiveIntoUserSpace(s, m);
  });

  it("puts a cluster its region cannot hold where it fits: after the heap, inside the heap's break", () => {
    // Two 512 MiB mmap clusters: the 768 MiB shared region holds one.
    const s = survey([0x08048, 0x08050, F], [0x08060, 0x08064, W], [0x10000, 0x30000, W], [0x40000, 0x60000, W], [0xfeffc, 0xfeffe, W]);
    const m = planLayout(s);
    const mmap = m.regions.filter((r) => r.kind === "mmap");
    expect(mmap.map((r) => r.eynStart)).toEqual([USER_SHARED_BASE >>> 12, (USER_HEAP_BASE >>> 12) + 4 + 1]);
    expect(m.heapBreak).toBe(USER_HEAP_BASE + (4 + 1 + 0x20000) * 4096);
    expectInjectiveIntoUserSpace(s, m);
  });

  it("refuses a trace with more pages than user space, saying how many it needs and how many fit", () => {
    const s = survey([0x01000, 0xd0000, W]);
    s.distinctPages = 0xd0000 - 0x01000;
    expect(() => planLayout(s)).toThrow(
      new LayoutError(
        "the trace needs 847872 pages of EYN-OS's user space (847872 distinct pages in 1 regions, a guard page between regions) " +
          "and 785408 fit (0x00400000-0xc0000000)",
      ),
    );
  });

  it("refuses a region larger than every free range, naming it", () => {
    const s = emptySurvey();
    for (let p = 0x01000; p < 0x51000; p += 200) s.pages[p] = PAGE_FLAG.TOUCHED | W; // one cluster spanning 1.25 GiB
    expect(() => planLayout(s)).toThrow(
      /^the trace's region 0x01000000-0x50fb1000 needs 327601 pages \(its gaps kept\); the largest free range of EYN-OS's user space left for it has 262144$/,
    );
  });

  it("maps the fixtures' traces (static, PIE) and a public trace's head one-to-one into user space", async () => {
    for (const name of ["tiny-static.lackey.gz", "tiny-dyn-head.lackey", "busybox-awk-head.lackey.gz"]) {
      const s = await surveyOf(path.join(FIXTURES, name));
      const m = planLayout(s);
      expectInjectiveIntoUserSpace(s, m);
      const stack = m.regions.find((r) => r.kind === "stack");
      expect(stack && (stack.eynStart + stack.traceEnd - stack.traceStart) * 4096).toBe(USER_STACK_TOP);
      expect(stack && stack.eynStart * 4096).toBeGreaterThanOrEqual(USER_STACK_BASE);
      expect(m.regions.find((r) => r.kind === "code")?.eynStart).toBe(USER_CODE_BASE >>> 12);
    }
  });
});
