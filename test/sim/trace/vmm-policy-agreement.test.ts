/**
 * The full VMM (page tables, Accessed bits, reverse map, the policy behind
 * the kernel's eviction) gives libCacheSim's exact miss counts for the
 * history-keeping policies too, on a real program's reference string.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayTrace } from "../../../src/sim/trace/replay.js";
import type { PolicyName } from "../../../src/kernel/replacement/index.js";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { loadExpected, loadLibCacheSimPolicies, loadRefsFixture } from "../../helpers/refs-fixture.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const TRACE = "busybox-gzip";
/**
 * 32 frames: beyond the 160 cold misses, 120 to 140 pages evicted and faulted back for each policy. 64 frames added 35 to 65
 * more of the same string's evictions through the same paths, at the price of a second 3-million-access replay each.
 */
const FRAMES = [32] as const;
/** Policy, the figures it equals, and frame counts when not FRAMES (LFU thrashes below 128 frames here: seconds of swap). */
const POLICIES: [PolicyName, string, (readonly number[])?][] = [
  ["arc", "libCacheSim/ARC"],
  ["sieve", "libCacheSim/SIEVE"],
  ["s3-fifo", "libCacheSim/S3-FIFO"],
  ["lru", "libCacheSim/LRU"],
  ["2q", "libCacheSim/TwoQ"],
  ["lirs", "libCacheSim/LIRS, paper HIR-hit rule"],
  ["slru", "libCacheSim/SLRU"],
  ["lfu", "libCacheSim/LFU", [128]],
];

/** The fixture's full reference string as a page-number-per-line file. */
function refsFile(): string {
  const file = path.join(tmp.dir, `${TRACE}.refs`);
  fs.writeFileSync(file, Array.from(loadRefsFixture(TRACE)).join("\n") + "\n");
  return file;
}

describe(`replay through the VMM (--user-frames N --tlb off) on the ${TRACE} reference string`, () => {
  const file = refsFile();
  const expected = { ...loadExpected()[TRACE].full.misses, ...loadLibCacheSimPolicies().misses[TRACE].full };
  for (const [policy, reference, frameCounts] of POLICIES) {
    it(`${policy} faults equal ${reference}'s misses`, async () => {
      for (const frames of frameCounts ?? FRAMES) {
        const r = await replayTrace(file, {
          system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy, userFrames: frames, tlb: "off" },
          tempDir: tmp.dir,
          samples: 1,
        });
        expect(r.stats.faults.segv).toBe(0);
        expect({ frames, faults: r.stats.faults.total }).toEqual({ frames, faults: expected[reference][String(frames)] });
      }
    });
  }

  it("clock-pro faults equal its policy-only misses (libCacheSim's reference version has no CLOCK-Pro)", async () => {
    for (const frames of FRAMES) {
      const r = await replayTrace(file, {
        system: { ramBytes: 16 << 20, swapBytes: 4 << 20, policy: "clock-pro", userFrames: frames, tlb: "off" },
        tempDir: tmp.dir,
        samples: 1,
      });
      const alone = replayReferenceString(loadRefsFixture(TRACE), { frames, policy: "clock-pro" }).misses;
      expect({ frames, faults: r.stats.faults.total }).toEqual({ frames, faults: alone });
    }
  });
});
