/**
 * The modern policies on the three public traces (whole reference
 * strings, test/fixtures/refs), against the figures docs/policies.md lists
 * (reclaim-figures.json, made by make-reclaim-figures.ts):
 *
 * - policy-only, linux and mglru at every frame count of reference.json:
 *   misses and working-set counters;
 * - through the full VMM at 10 % of the distinct pages, with a tick per
 *   1,000 accesses: faults equal to the policy alone's misses, and the
 *   same counters (two independent paths: shadows by swap slot and an
 *   aging walk over page tables, against shadows by page and a walk over
 *   bits), the refaults, the process's stalled ticks and PSI;
 * - the CLOCK and LRU rows the docs compare against are pagesim's CLOCK-R1
 *   and libCacheSim's LRU.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayReferenceString } from "../../../src/sim/policy-replay.js";
import { replayTrace } from "../../../src/sim/trace/replay.js";
import { TRACE_NAMES, loadExpected, loadRefsFixture, refsText } from "../../helpers/refs-fixture.js";
import { RECLAIM_VMM_RUN, loadReclaimFigures } from "../../fixtures/refs/reclaim-figures.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const figures = loadReclaimFigures();
const expected = loadExpected();

describe.each(TRACE_NAMES)("%s", (trace) => {
  const refs = loadRefsFixture(trace);
  const want = figures[trace];

  it("policy-only: linux and mglru misses and working-set counters at every frame count", () => {
    for (const policy of ["linux", "mglru"] as const) {
      const got = Object.fromEntries(
        expected[trace].full.frames.map((frames) => {
          const r = replayReferenceString(refs, { frames, policy });
          return [String(frames), { misses: r.misses, ...r.workingSet }];
        }),
      );
      expect({ policy, got }).toEqual({ policy, got: want.policyOnly[policy] });
    }
  });

  it("the CLOCK and LRU rows compared against are pagesim's CLOCK-R1 and libCacheSim's LRU", () => {
    const frames = String(want.vmm.frames);
    expect(want.vmm.runs.clock.faults).toBe(expected[trace].full.misses["pagesim/CLOCK-R1"][frames]);
    expect(want.vmm.runs.lru.faults).toBe(expected[trace].full.misses["libCacheSim/LRU"][frames]);
  });

  it("through the VMM: the policy alone's misses and counters, the refaults, stalled ticks and PSI", async () => {
    const file = path.join(tmp.dir, `${trace}.refs`);
    fs.writeFileSync(file, refsText(refs));
    const frames = want.vmm.frames;
    for (const policy of ["linux", "mglru"] as const) {
      const r = await replayTrace(file, { system: { ...RECLAIM_VMM_RUN.system, policy, userFrames: frames }, tickEvery: RECLAIM_VMM_RUN.tickEvery, samples: 1, tempDir: tmp.dir });
      const v = r.stats.vmstat;
      const alone = want.policyOnly[policy][String(frames)];
      expect(r.stats.faults.total).toBe(alone.misses);
      expect({ ...r.stats.psi, stalledTicks: r.process.stalledTicks, ticks: r.stats.ticks }).toEqual({
        ...want.vmm.runs[policy].psi,
        stalledTicks: want.vmm.runs[policy].stalledTicks,
        ticks: want.vmm.runs[policy].ticks,
      });
      const counters = ["workingset_refault_anon", "workingset_activate_anon", "workingset_restore_anon", "pgactivate", "pgdeactivate"] as const;
      expect(Object.fromEntries(counters.map((c) => [c, v[c]]))).toEqual(Object.fromEntries(counters.map((c) => [c, alone[c]])));
      // Every swap-in reads a slot its page was evicted to, with a shadow: each is a refault.
      expect(v.workingset_refault_anon).toBe(v.pswpin);
      expect(r.process.stalledTicks).toBeCloseTo((v.pswpin + v.pswpout) * 0.012, 6);
    }
  }, 120_000);
});
