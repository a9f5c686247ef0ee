import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayTrace, type ReplayResult } from "../../../src/sim/trace/replay.js";
import { pageDelta } from "../../../src/sim/trace/page-deltas.js";
import { convertTrace } from "../../../src/sim/trace/convert.js";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { USER_HEAP_BASE, USER_SHARED_BASE } from "../../../src/kernel/layout.js";
import { FIXTURES, fixtureText, tempDir, writeFile, referenceString } from "./helpers.js";
import { clockR1Misses, fifoMisses, lruMisses, optMisses } from "./textbook-policies.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const TINY = path.join(FIXTURES, "tiny-static.lackey.gz");
const AWK = path.join(FIXTURES, "busybox-awk-head.lackey.gz");

function replay(file: string, policy: PolicyName = "clock", userFrames?: number): Promise<ReplayResult> {
  return replayTrace(file, {
    system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames, tlb: userFrames === undefined ? undefined : "off" },
    tempDir: tmp.dir,
  });
}

describe("trace replay through the VMM", () => {
  it("replays a recorded program to the end: exited(0), no segfault, one fault per page touched", async () => {
    const r = await replay(TINY);
    expect(r.process.status).toEqual({ state: "exited", code: 0 });
    expect(r.panic).toBeNull();
    expect(r.stats.faults.segv).toBe(0);
    expect(r.stats.faults.total).toBe(r.distinctPages);
    expect(r.stats.accesses).toBe(r.accesses);
  });

  it("counts accesses and page references as the traces README defines them", async () => {
    const r = await replay(TINY);
    const refs = referenceString(fixtureText("tiny-static.lackey.gz"));
    expect(r.accesses).toBe(71389);
    expect(r.byKind.I + r.byKind.L + r.byKind.S + r.byKind.M).toBe(71389);
    expect(r.references).toBe(refs.length);
    expect(r.straddles).toBe(refs.length - 71389);
    expect(r.distinctPages).toBe(new Set(refs).size);
  });

  it("replays a binary copy and a gzip'd binary copy exactly as the lackey original", async () => {
    const bin = path.join(tmp.dir, "tiny.bin");
    const gz = path.join(tmp.dir, "tiny.bin.gz");
    await convertTrace(TINY, bin, "binary");
    await convertTrace(TINY, gz, "binary");
    const [a, b, c] = await Promise.all([replay(TINY, "lru", 16), replay(bin, "lru", 16), replay(gz, "lru", 16)]);
    expect(b.stats.faults).toEqual(a.stats.faults);
    expect(c.stats.faults).toEqual(a.stats.faults);
    expect(b.format).toBe("binary");
  });

  it("replays a trace whose mmap clusters overflow the shared region: the one that does not fit lives in the heap region, under the break", async () => {
    // Two 512 MiB mmap clusters (a page every 200 keeps each one cluster) and a stack: 768 MiB of shared region holds one.
    const pages = [0x10000, 0x40000].flatMap((base) => Array.from({ length: 0x20000 / 200 }, (_, i) => base + 200 * i));
    const lines = [...pages.map((p) => ` S ${(p * 4096).toString(16).padStart(8, "0")},4`), " S feffdff0,4"];
    const r = await replay(writeFile(tmp.dir, "overflow.lackey", lines.join("\n") + "\n"));
    expect(r.mapping.regions.map((m) => [m.kind, m.eynStart * 4096])).toEqual([
      ["mmap", USER_SHARED_BASE],
      ["mmap", USER_HEAP_BASE],
      ["stack", 0xbffff000],
    ]);
    expect(r.stats.faults.segv).toBe(0);
    expect(r.stats.faults.total).toBe(pages.length + 1);
    const overflow = r.mapping.regions[1];
    expect(r.mapping.heapBreak).toBe(USER_HEAP_BASE + (overflow.traceEnd - overflow.traceStart) * 4096);
  });

  it("replays a page reference string in the shared region, one fault per distinct page with room for all", async () => {
    const file = writeFile(tmp.dir, "s.refs", "1\n2\n3\n1\n2\n4\n1\n");
    const r = await replay(file);
    expect(r.mapping.regions[0].eynStart * 4096).toBe(USER_SHARED_BASE);
    expect(r.stats.faults.total).toBe(4);
    expect(r.references).toBe(7);
  });

  it("a process that runs out of memory is killed with a fault report; the replay stops there, nothing throws", async () => {
    const r = await replayTrace(TINY, { system: { ramBytes: 16 << 20, swapBytes: 0, userFrames: 8 }, tempDir: tmp.dir });
    expect(r.process.status.state).toBe("killed");
    if (r.process.status.state === "killed") expect(r.process.status.report.reason).toMatch(/out of memory/);
    expect(r.stats.faults.total).toBe(9); // 8 pages fit; the 9th cannot be loaded
    expect(r.stats.accesses).toBeLessThan(r.accesses);
    expect(r.panic).toBeNull();
  });

  it("reports a malformed line by file and line, and leaves no temporary file", async () => {
    const bad = writeFile(tmp.dir, "bad.lackey", "I  08049000,4\n L 0804a000,4\nI  0804900x,4\n");
    await expect(replay(bad)).rejects.toThrow(`${bad}:3: expected a hex address and ','`);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith("vmm386-replay-"))).toEqual([]);
  });
});

describe("agreement with textbook simulators (--user-frames N --tlb off)", () => {
  const cases: [string, string, number[]][] = [
    ["tiny-static", TINY, [8, 16, 40]],
    ["busybox-awk head", AWK, [6, 11, 28]],
  ];
  for (const [name, file, sizes] of cases) {
    const refs = referenceString(fixtureText(path.basename(file)));
    for (const frames of sizes) {
      it(`${name}, ${frames} frames: FIFO, LRU, OPT and CLOCK fault counts equal FIFO, LRU, OPT and CLOCK-R1 misses`, async () => {
        const [fifo, lru, opt, clock] = await Promise.all(
          (["fifo", "lru", "opt", "clock"] as const).map((p) => replay(file, p, frames)),
        );
        expect(fifo.stats.faults.total).toBe(fifoMisses(refs, frames));
        expect(opt.stats.faults.total).toBe(optMisses(refs, frames));
        expect(lru.stats.faults.total).toBe(lruMisses(refs, frames));
        expect(clock.stats.faults.total).toBe(clockR1Misses(refs, frames));
        for (const r of [fifo, lru, opt, clock]) expect(r.process.status).toEqual({ state: "exited", code: 0 });
        if (frames === sizes[0]) expect(fifo.stats.faults.swapIn).toBeGreaterThan(0); // the run really evicts
      });
    }
  }
});

describe("straddling accesses", () => {
  /** A random trace over `pages` pages (from 0x08048000) where about a third of the accesses straddle two pages. */
  function straddleHeavy(n: number, pages: number, seed: number): string {
    let x = seed;
    const next = () => ((x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 8) & 0xffffff;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const page = 0x08048 + (next() % pages);
      const straddle = next() % 3 === 0;
      const offset = straddle ? 4096 - 1 - (next() % 7) : next() % 4000;
      const kind = ["I  ", " L ", " S ", " M "][next() % 4];
      lines.push(`${kind}${((page << 12) + offset).toString(16).padStart(8, "0")},8`);
    }
    return lines.join("\n") + "\n";
  }

  it("are replayed as the reference string's two references, in order: CLOCK still equals CLOCK-R1", async () => {
    const text = straddleHeavy(6000, 24, 7);
    const file = writeFile(tmp.dir, "straddle.lackey", text);
    const refs = referenceString(text);
    for (const frames of [4, 7, 12]) {
      const [fifo, lru, opt, clock] = await Promise.all((["fifo", "lru", "opt", "clock"] as const).map((p) => replay(file, p, frames)));
      expect(clock.stats.faults.total).toBe(clockR1Misses(refs, frames));
      expect(opt.stats.faults.total).toBe(optMisses(refs, frames));
      expect(lru.stats.faults.total).toBe(lruMisses(refs, frames));
      expect(fifo.stats.faults.total).toBe(fifoMisses(refs, frames));
      expect(clock.stats.references).toBe(refs.length);
      expect(clock.stats.accesses).toBe(6000);
    }
  });
});

describe("the replay's table of deltas", () => {
  it("moves 3,000 pages of an mmap area, whole 4 MiB blocks and their ragged ends, each to its own EYN-OS page", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lines: string[] = [];
      for (let lap = 0; lap < 2; lap++) for (let p = 0; p < 3000; p++) lines.push(` L ${(0x50000200 + p * 4096).toString(16)},4`);
      const r = await replayTrace(writeFile(dir, "blocks.lackey", lines.join("\n") + "\n"), { system: { ramBytes: 64 << 20, swapBytes: 0 } });
      expect(pageDelta(r.mapping.deltas, 0x50000)).not.toBe(0); // the area moves: a wrong block delta would land elsewhere
      expect(r.stats.faults.segv).toBe(0);
      expect(r.stats.faults.total).toBe(3000); // each page once; the second lap hits
    } finally {
      cleanup();
    }
  });
});
