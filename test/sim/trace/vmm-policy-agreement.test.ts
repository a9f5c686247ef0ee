/**
 * The full VMM (page tables, Accessed bits, reverse map, the policy behind
 * the kernel's eviction) gives libCacheSim's exact miss counts for the
 * history-keeping policies too, on real programs' reference strings.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayTrace } from "../../../src/sim/trace/replay.js";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { loadExpected, loadLibCacheSimPolicies, loadRefsFixture, refsText } from "../../helpers/refs-fixture.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A public string, whole or its first 200,000 references. */
interface RefString {
  readonly trace: "busybox-gzip" | "c-matmul";
  readonly part: "full" | "prefix_200k";
}

/**
 * The whole busybox-gzip string: at 32 frames, beyond the 160 cold misses, 120 to 140 pages evicted and faulted back for each
 * policy. ARC, SIEVE and S3-FIFO have libCacheSim counts for whole strings only.
 */
const GZIP: RefString = { trace: "busybox-gzip", part: "full" };
/**
 * c-matmul's 200,000-reference prefix: at 32 frames 257 to 298 pages evicted and faulted back (beyond 132 cold misses), more
 * than the whole gzip string's, in a fifteenth of the replay; libCacheSim's counts for it exist for the policies below that use it.
 */
const MATMUL_PREFIX: RefString = { trace: "c-matmul", part: "prefix_200k" };
const FRAMES = 32;
/** Policy, the figures it equals, the string, and the frame count when not FRAMES (LFU thrashes below 128 frames: seconds of swap). */
const POLICIES: [PolicyName, string, RefString, number?][] = [
  ["arc", "libCacheSim/ARC", GZIP],
  ["sieve", "libCacheSim/SIEVE", GZIP],
  ["s3-fifo", "libCacheSim/S3-FIFO", GZIP],
  ["lru", "libCacheSim/LRU", MATMUL_PREFIX],
  ["2q", "libCacheSim/TwoQ", MATMUL_PREFIX],
  ["lirs", "libCacheSim/LIRS, paper HIR-hit rule", MATMUL_PREFIX],
  ["slru", "libCacheSim/SLRU", MATMUL_PREFIX],
  ["lfu", "libCacheSim/LFU", MATMUL_PREFIX, 128],
];

/** The references of `string`. */
function refsOf(string: RefString): Int32Array {
  const refs = loadRefsFixture(string.trace);
  return string.part === "full" ? refs : refs.subarray(0, 200_000);
}

/** `string` as a page-number-per-line file. */
function refsFile(string: RefString): string {
  const file = path.join(tmp.dir, `${string.trace}-${string.part}.refs`);
  fs.writeFileSync(file, refsText(refsOf(string)));
  return file;
}

/** libCacheSim's (and the other simulators') misses on `string`: figure label -> frames -> misses. */
function expectedOf(string: RefString): Readonly<Record<string, Readonly<Record<string, number>>>> {
  return { ...loadExpected()[string.trace][string.part].misses, ...loadLibCacheSimPolicies().misses[string.trace][string.part] };
}

/** Replays `file` through the whole VMM with `policy` on `frames` user frames and no TLB. */
function replayVmm(file: string, policy: PolicyName, frames: number) {
  return replayTrace(file, {
    system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames: frames, tlb: "off" },
    tempDir: tmp.dir,
    samples: 1,
  });
}

describe("replay through the VMM (--user-frames N --tlb off) on real programs' reference strings", () => {
  const files = new Map([GZIP, MATMUL_PREFIX].map((string) => [string, refsFile(string)]));
  for (const [policy, reference, string, frames = FRAMES] of POLICIES) {
    it(`${policy} faults equal ${reference}'s misses (${string.trace}, ${string.part})`, async () => {
      const r = await replayVmm(files.get(string) as string, policy, frames);
      expect(r.stats.faults.segv).toBe(0);
      expect({ frames, faults: r.stats.faults.total }).toEqual({ frames, faults: expectedOf(string)[reference][String(frames)] });
    });
  }

  it("clock-pro faults equal its policy-only misses on the whole busybox-gzip string (libCacheSim's reference version has no CLOCK-Pro)", async () => {
    const r = await replayVmm(files.get(GZIP) as string, "clock-pro", FRAMES);
    const alone = replayReferenceString(refsOf(GZIP), { frames: FRAMES, policy: "clock-pro" }).misses;
    expect({ frames: FRAMES, faults: r.stats.faults.total }).toEqual({ frames: FRAMES, faults: alone });
  });
});
