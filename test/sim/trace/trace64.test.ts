/**
 * Traces of 64-bit programs: x64-sort-head.lackey.gz (the start of GNU sort
 * on x86-64 under Valgrind: PIE text at 0x108000, ld.so and libraries from
 * 0x4000000, sort's buffer near 0x1c000000, the stack just below
 * 0x1fff001000) and synthetic traces with every region above 4 GiB, as a
 * native x86-64 layout has them. Expected counts: x64-sort-head.expected.json
 * (libCacheSim's, see make-x64-fixture.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayTrace, type ReplayResult } from "../../../src/sim/trace/replay.js";
import { replayPolicyOnly } from "../../../src/sim/trace/policy-only.js";
import { readLackey } from "../../../src/sim/trace/lackey-reader.js";
import { readTrace } from "../../../src/sim/trace/read-trace.js";
import { formatMapping, mapAddress } from "../../../src/sim/trace/layout-mapper.js";
import { emptySurvey, surveyChunk } from "../../../src/sim/trace/trace-survey.js";
import { WidePages, pageReferences } from "../../../src/sim/trace/wide-pages.js";
import { convertTrace } from "../../../src/sim/trace/convert.js";
import { replayAtFrameCounts, replayReferenceString } from "../../../src/sim/policy-replay.js";
import { profileTrace } from "../../../src/sim/mrc/profile.js";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { USER_CODE_BASE, USER_STACK_TOP } from "../../../src/kernel/layout.js";
import { FIXTURES, type Access, collect, fixtureText, naiveLackey, pageReferencesOf, referenceString, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const X64 = path.join(FIXTURES, "x64-sort-head.lackey.gz");
interface Expected {
  references: number;
  distinct_pages: number;
  frames: number[];
  misses: Record<string, Record<string, number>>;
}
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "x64-sort-head.expected.json"), "utf8")) as Expected;

/** vmm386 policy, whether the faulting reference sets the referenced bit, and the figures it must equal. */
const POLICIES: [PolicyName, boolean, string][] = [
  ["lru", true, "libCacheSim/LRU"],
  ["fifo", true, "libCacheSim/FIFO"],
  ["opt", true, "libCacheSim/Belady"],
  ["arc", true, "libCacheSim/ARC"],
  ["sieve", true, "libCacheSim/SIEVE"],
  ["s3-fifo", true, "libCacheSim/S3-FIFO"],
  ["clock", false, "libCacheSim/Clock"],
  ["clock", true, "vmm386/CLOCK-R1"],
];
/** libCacheSim's S3-FIFO admits nothing below 20 frames (docs/policies.md): compare from there up. */
function comparable(label: string): number[] {
  return expected.frames.filter((f) => label !== "libCacheSim/S3-FIFO" || f >= 20);
}

function replay(file: string, policy: PolicyName = "clock", userFrames?: number): Promise<ReplayResult> {
  return replayTrace(file, {
    system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames, tlb: userFrames === undefined ? undefined : "off" },
    tempDir: tmp.dir,
    samples: 1,
  });
}

/** The page numbers of a libCacheSim txt file. */
function txtPages(file: string): Int32Array {
  return Int32Array.from(fs.readFileSync(file, "latin1").trim().split("\n"), Number);
}

describe("a 64-bit program's trace (x86-64 sort under Valgrind)", () => {
  const plain = naiveLackey(fixtureText("x64-sort-head.lackey.gz"));
  /** The first access `got` reads differently from the plain parser (-1: none), and how many it read. */
  const firstDifference = (got: Access[]) => ({
    at: plain.findIndex((a, i) => got[i] === undefined || a.addr !== got[i].addr || a.high !== got[i].high || a.kind !== got[i].kind || a.size !== got[i].size),
    length: got.length,
  });

  it("reads every access, the stack's above 4 GiB included, as a plain parser does", async () => {
    const got = await collect(readLackey(X64));
    expect(firstDifference(got)).toEqual({ at: -1, length: plain.length });
    expect(got.filter((a) => a.high === 0x1f).length).toBeGreaterThan(10000);
  });

  it("maps each region onto EYN-OS's (code, heap, mmap, the stack under USER_STACK_TOP) and replays to the end without a segfault", async () => {
    const r = await replay(X64);
    expect(r.mapping.regions.map((m) => m.kind)).toEqual(["code", "heap", "mmap", "mmap", "mmap", "mmap", "stack"]);
    expect(mapAddress(r.mapping, 0x108040)).toBe(USER_CODE_BASE + 0x40);
    expect(mapAddress(r.mapping, 0x1fff000d18)).toBe(USER_STACK_TOP - 0x1000 + 0xd18);
    expect(formatMapping(r.mapping).split("\n").at(-1)).toBe("0x1ffeffe000-0x1fff001000 -> 0xbfffd000-0xc0000000      3  stack");
    expect(r.process.status).toEqual({ state: "exited", code: 0 });
    expect(r.stats.faults.segv).toBe(0);
    expect(r.references).toBe(expected.references);
    expect(r.distinctPages).toBe(expected.distinct_pages);
    expect(r.stats.faults.total).toBe(expected.distinct_pages);
  });

  it("with --user-frames N --tlb off, faults equal libCacheSim's misses for every policy (and CLOCK-R1's)", async () => {
    // The VMM's CLOCK is CLOCK-R1: the retried access sets the new page's Accessed bit.
    for (const [policy, , label] of POLICIES.filter(([, r1]) => r1)) {
      for (const frames of [comparable(label)[1]]) {
        const r = await replay(X64, policy, frames);
        expect(r.stats.faults.segv).toBe(0);
        expect({ label, frames, faults: r.stats.faults.total }).toEqual({ label, frames, faults: expected.misses[label][String(frames)] });
      }
    }
  });

  it("policy-only gives libCacheSim's misses at every frame count, Clock with --clock-r0", async () => {
    for (const [policy, faultSetsReferenced, label] of POLICIES) {
      const frames = comparable(label)[0];
      const r = await replayPolicyOnly(X64, { frames, policy, faultSetsReferenced });
      expect({ label, misses: r.misses }).toEqual({ label, misses: expected.misses[label][String(frames)] });
    }
    // The string policy-only replays, checked once at every frame count.
    const chunks: Int32Array[] = [];
    const wide = new WidePages();
    for await (const c of readTrace(X64)) chunks.push(pageReferences(c, new Int32Array(2 * c.length), wide).slice());
    for (const [policy, faultSetsReferenced, label] of POLICIES) {
      const frames = comparable(label);
      const got = Object.fromEntries(replayAtFrameCounts(chunks, frames, { policy, faultSetsReferenced }).map((r) => [String(r.frames), r.misses]));
      expect({ label, got }).toEqual({ label, got: Object.fromEntries(frames.map((f) => [String(f), expected.misses[label][String(f)]])) });
    }
  });

  it("converts to libCacheSim's page strings: its own page numbers (--raw-pages), or the replay's, with the same misses", async () => {
    const raw = path.join(tmp.dir, "x64-raw.txt");
    await convertTrace(X64, raw, "txt", { rawPages: true });
    const own = Int32Array.from(pageReferencesOf(plain));
    expect(Buffer.compare(Buffer.from(txtPages(raw).buffer), Buffer.from(own.buffer))).toBe(0);
    expect(own.includes(0x1fff000)).toBe(true); // the stack's top page, above 4 GiB
    const mapped = path.join(tmp.dir, "x64-mapped.txt");
    expect((await convertTrace(X64, mapped, "txt")).mapped).toBe(true);
    const pages = txtPages(mapped);
    expect(pages.every((p) => p >= USER_CODE_BASE >>> 12 && p < USER_STACK_TOP >>> 12)).toBe(true);
    expect(new Set(pages).size).toBe(expected.distinct_pages);
    expect(replayReferenceString(pages, { frames: 16, policy: "lru" }).misses).toBe(expected.misses["libCacheSim/LRU"]["16"]);
  });

  it("vmm386 mrc counts its pages above 4 GiB and gives the exact LRU curve", async () => {
    const r = await profileTrace(X64, { exact: ["lru"] });
    expect(r.distinctPages).toBe(expected.distinct_pages);
    const lru = r.curves.find((c) => c.policy === "lru" && c.method === "exact");
    expect(lru?.points.find((p) => p.size === 16)?.misses).toBe(expected.misses["libCacheSim/LRU"]["16"]);
  });

  it("converts to lackey text and back unchanged; refuses the 32-bit binary format, naming the trace", async () => {
    const text = path.join(tmp.dir, "x64.lackey");
    await convertTrace(X64, text, "lackey");
    expect(firstDifference(await collect(readLackey(text)))).toEqual({ at: -1, length: plain.length });
    await expect(convertTrace(X64, path.join(tmp.dir, "x64.bin"), "binary")).rejects.toThrow(
      `${X64}: a 64-bit program's trace (addresses above 4 GiB): the binary format holds 32-bit ones`,
    );
    expect(fs.existsSync(path.join(tmp.dir, "x64.bin"))).toBe(false);
  });
});

/** A seeded x86-64 trace in a native (non-Valgrind) layout: every region above 4 GiB. */
function nativeTrace(accesses: number, seed: number): string {
  const regions: [bigint, number, string][] = [
    [0x555555554000n, 24, "I "], // PIE text
    [0x55555556e000n, 6, " M"], // data, right after
    [0x555555580000n, 40, " S"], // brk heap, after a gap
    [0x7ffff7dc0000n, 60, "I "], // libc
    [0x7fffe8000000n, 300, " L"], // an mmap'd arena
    [0x7ffffffdc000n, 8, " S"], // stack
  ];
  let x = seed;
  const next = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const lines = ["==1== Lackey, an example Valgrind tool", "==1== "];
  for (let i = 0; i < accesses; i++) {
    const [base, pages, kind] = regions[next(regions.length)];
    const offset = BigInt(next(pages * 4096 - 16));
    lines.push(`${kind} ${(base + offset).toString(16)},${1 + next(16)}`);
  }
  return lines.join("\n") + "\n";
}

describe("a 64-bit trace with every region above 4 GiB (native x86-64 layout)", () => {
  const text = nativeTrace(20000, 7);
  const file = writeFile(tmp.dir, "native.lackey.gz", text);
  const refs = referenceString(text);

  it("maps all its pages one-to-one into user space, keeping offsets, and replays with no segfault", async () => {
    const r = await replay(file);
    expect(r.mapping.regions.map((m) => m.kind)).toEqual(["code", "heap", "mmap", "mmap", "stack"]);
    expect(mapAddress(r.mapping, 0x555555554abc)).toBe(USER_CODE_BASE + 0xabc);
    expect(mapAddress(r.mapping, 0x55555556e123) - mapAddress(r.mapping, 0x555555554000)).toBe(0x1a123);
    expect(mapAddress(r.mapping, 0x7ffffffe3ff0)).toBe(USER_STACK_TOP - 0x10);
    const survey = emptySurvey();
    for await (const c of readTrace(file)) surveyChunk(survey, c);
    const pages = survey.wide.sorted();
    expect(pages.length).toBe(new Set(refs).size);
    expect(new Set(Array.from(pages, (p) => mapAddress(r.mapping, p * 4096))).size).toBe(pages.length);
    expect(r.stats.faults.segv).toBe(0);
    expect(r.stats.faults.total).toBe(pages.length);
    expect(r.references).toBe(refs.length);
  });

  it("faults as the policy alone does on its 64-bit page reference string, through the VMM and policy-only", async () => {
    const dense = new Map<number, number>();
    const string = Int32Array.from(refs, (p) => dense.get(p) ?? dense.set(p, dense.size).size - 1);
    for (const policy of ["clock", "lru", "opt", "arc"] as const) {
      const want = replayReferenceString(string, { frames: 48, policy }).misses;
      expect((await replay(file, policy, 48)).stats.faults.total).toBe(want);
      expect((await replayPolicyOnly(file, { frames: 48, policy })).misses).toBe(want);
    }
  });

  it("refuses a region too large for any free range of user space, naming the trace and what it needs", async () => {
    const lines = Array.from({ length: 1700 }, (_, i) => ` L ${(0x7f0000000000n + BigInt(i * 200 * 4096)).toString(16)},4`);
    const big = writeFile(tmp.dir, "big.lackey", lines.join("\n") + "\n");
    await expect(replay(big)).rejects.toThrow(
      `${big}: the trace's region 0x7f0000000000-0x7f0052f59000 needs 339801 pages (its gaps kept); ` +
        "the largest free range of EYN-OS's user space left for it has 262144",
    );
  });
});
