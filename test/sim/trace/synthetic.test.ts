import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DATA_BASE,
  HEAP_SPAN,
  MAX_SYNTHETIC_PAGES,
  checkSyntheticSpec,
  dataPageAddress,
  syntheticChunks,
  writeSyntheticTrace,
  type SyntheticTraceSpec,
} from "../../../src/sim/trace/synthetic.js";
import { readBinary } from "../../../src/sim/trace/binary-format.js";
import { TRACE_KIND } from "../../../src/sim/trace/trace-chunk.js";
import { emptySurvey, surveyChunk } from "../../../src/sim/trace/trace-survey.js";
import { mapAddress, planLayout } from "../../../src/sim/trace/layout-mapper.js";
import { USER_HEAP_BASE, USER_SHARED_BASE } from "../../../src/kernel/layout.js";
import { replayTrace } from "../../../src/sim/trace/replay.js";

/** Every access of a spec: addresses and kinds, in order. */
function accessesOf(spec: SyntheticTraceSpec, capacity?: number): { addr: number[]; kind: number[] } {
  const addr: number[] = [];
  const kind: number[] = [];
  for (const c of syntheticChunks(spec, capacity)) {
    for (let i = 0; i < c.length; i++) {
      addr.push(c.addr[i] >>> 0);
      kind.push(c.kind[i]);
    }
  }
  return { addr, kind };
}

/** Data page of an address. */
function pageOf(a: number): number {
  const p = (a - DATA_BASE) / 4096;
  return Math.floor(p < HEAP_SPAN ? p : p - 1024);
}

/** Accesses per data page (the opening fetch left out). */
function histogram(spec: SyntheticTraceSpec): number[] {
  const counts = new Array<number>(spec.pages).fill(0);
  for (const a of accessesOf(spec).addr.slice(1)) counts[pageOf(a)]++;
  return counts;
}

describe("synthetic traces", () => {
  it("are the same for the same seed, whatever the chunk size, and differ for another", () => {
    const spec: SyntheticTraceSpec = { pattern: "mixed", accesses: 5000, pages: 300, seed: 11 };
    const a = accessesOf(spec);
    expect(accessesOf(spec, 777)).toEqual(a);
    expect(accessesOf({ ...spec, seed: 12 }).addr).not.toEqual(a.addr);
  });

  it("open with the program's instruction fetch, then make exactly the accesses asked, a quarter of them stores", () => {
    const { addr, kind } = accessesOf({ pattern: "uniform", accesses: 40_000, pages: 100, seed: 1 });
    expect(addr).toHaveLength(40_000);
    expect([addr[0], kind[0]]).toEqual([DATA_BASE - 8192, TRACE_KIND.FETCH]);
    const stores = kind.filter((k) => k === TRACE_KIND.STORE).length / 39_999;
    expect(stores).toBeGreaterThan(0.24);
    expect(stores).toBeLessThan(0.26);
    expect(kind.slice(1).every((k) => k === TRACE_KIND.STORE || k === TRACE_KIND.LOAD)).toBe(true);
    expect(addr.slice(1).every((a) => a >= DATA_BASE && a < DATA_BASE + 100 * 4096 && (a & 3) === 0)).toBe(true);
  });

  it("spread uniform accesses evenly and heavy-tailed ones on a few hot pages", () => {
    const uniform = histogram({ pattern: "uniform", accesses: 100_001, pages: 100, seed: 2 });
    expect(Math.min(...uniform)).toBeGreaterThan(850);
    expect(Math.max(...uniform)).toBeLessThan(1150);
    const heavy = histogram({ pattern: "heavy-tailed", accesses: 100_001, pages: 1000, seed: 2 }).sort((x, y) => y - x);
    // Density about 1/(r+1): the hottest page alone takes about 1/ln(1001) of the accesses, the top 10 a third.
    expect(heavy[0]).toBeGreaterThan(8_000);
    expect(heavy.slice(0, 10).reduce((s, n) => s + n, 0)).toBeGreaterThan(30_000);
    expect(heavy.slice(500).reduce((s, n) => s + n, 0)).toBeLessThan(12_000);
  });

  it("scan in 64-byte steps and loop over the pages one access each, both wrapping around", () => {
    const scan = accessesOf({ pattern: "scan", accesses: 1 + 2 * 64 + 2, pages: 2, seed: 3 }).addr.slice(1);
    expect(scan.slice(0, 3)).toEqual([DATA_BASE, DATA_BASE + 64, DATA_BASE + 128]);
    expect(scan[64]).toBe(DATA_BASE + 4096);
    expect(scan.slice(128)).toEqual([DATA_BASE, DATA_BASE + 64]);
    const loop = accessesOf({ pattern: "loop", accesses: 8, pages: 3, seed: 3 }).addr.slice(1);
    expect(loop.map(pageOf)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it("lay their data out as a program's heap, and pages past HEAP_SPAN as an mmap area", () => {
    const pages = HEAP_SPAN + 20;
    const s = emptySurvey();
    for (const c of syntheticChunks({ pattern: "loop", accesses: pages + 1, pages, seed: 4 })) surveyChunk(s, c);
    const m = planLayout(s);
    expect(m.regions.map((r) => r.kind)).toEqual(["code", "heap", "mmap"]);
    expect(mapAddress(m, dataPageAddress(0))).toBe(USER_HEAP_BASE);
    const beyond = dataPageAddress(HEAP_SPAN);
    expect(mapAddress(m, beyond)).toBe(USER_SHARED_BASE);
  });

  it("are written to the binary format as generated, in memory that does not grow with their length", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-synthetic-"));
    try {
      const spec: SyntheticTraceSpec = { pattern: "heavy-tailed", accesses: 150_000, pages: 5000, seed: 5 };
      const file = path.join(dir, "t.bin");
      await writeSyntheticTrace(file, spec);
      const read: number[] = [];
      for await (const c of readBinary(file)) for (let i = 0; i < c.length; i++) read.push(c.addr[i] >>> 0);
      expect(read).toEqual(accessesOf(spec).addr);
      const chunks = new Set([...syntheticChunks(spec, 1000)]);
      expect(chunks.size).toBe(1); // one chunk object, refilled
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replay through the VMM: a loop over more pages than memory faults on every access", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-synthetic-"));
    try {
      const file = path.join(dir, "loop.bin");
      await writeSyntheticTrace(file, { pattern: "loop", accesses: 3001, pages: 600, seed: 6 });
      const r = await replayTrace(file, { system: { ramBytes: 4 << 20, swapBytes: 8 << 20, userFrames: 500 } });
      expect(r.process.status.state).toBe("exited");
      expect(r.stats.faults.total).toBe(3001); // the fetch, then 600 demand-zero and 2,400 swap-ins
      expect(r.stats.faults.swapIn).toBe(2400);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuse what they cannot make, naming the field", () => {
    const ok: SyntheticTraceSpec = { pattern: "uniform", accesses: 10, pages: 10, seed: 0 };
    expect(() => checkSyntheticSpec({ ...ok, pages: MAX_SYNTHETIC_PAGES + 1 })).toThrow(/pages must be/);
    expect(() => checkSyntheticSpec({ ...ok, accesses: 0 })).toThrow(/accesses must be/);
    expect(() => checkSyntheticSpec({ ...ok, writeRatio: 2 })).toThrow(/writeRatio/);
    expect(() => checkSyntheticSpec({ ...ok, pattern: "zipf" as "uniform" })).toThrow(/unknown pattern "zipf"/);
  });
});
