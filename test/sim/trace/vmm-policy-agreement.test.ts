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
import { loadExpected, loadRefsFixture } from "../../helpers/refs-fixture.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const TRACE = "busybox-gzip";
const FRAMES = [32, 64] as const;
const POLICIES: [PolicyName, string][] = [
  ["arc", "libCacheSim/ARC"],
  ["sieve", "libCacheSim/SIEVE"],
  ["s3-fifo", "libCacheSim/S3-FIFO"],
  ["lru", "libCacheSim/LRU"],
];

/** The fixture's full reference string as a page-number-per-line file. */
function refsFile(): string {
  const file = path.join(tmp.dir, `${TRACE}.refs`);
  fs.writeFileSync(file, Array.from(loadRefsFixture(TRACE)).join("\n") + "\n");
  return file;
}

describe(`replay through the VMM (--user-frames N --tlb off) on the ${TRACE} reference string`, () => {
  const file = refsFile();
  const expected = loadExpected()[TRACE].full.misses;
  for (const [policy, reference] of POLICIES) {
    it(`${policy} faults equal ${reference}'s misses`, async () => {
      for (const frames of FRAMES) {
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
});
