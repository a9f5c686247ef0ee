import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { replayPolicyOnly } from "../../../src/sim/trace/policy-only.js";
import { cli } from "../../cli/cli-helper.js";
import { FIXTURES, fixtureText, referenceString } from "./helpers.js";
import { clockR1Misses, fifoMisses, lruMisses, optMisses } from "./textbook-policies.js";

const TINY = path.join(FIXTURES, "tiny-static.lackey.gz");

describe("policy-only replay", () => {
  const refs = referenceString(fixtureText("tiny-static.lackey.gz"));
  const textbook = { fifo: fifoMisses, lru: lruMisses, opt: optMisses, clock: clockR1Misses } as const;

  for (const [policy, misses] of Object.entries(textbook)) {
    it(`${policy} misses equal a textbook simulator's at several frame counts`, async () => {
      for (const frames of [2, 5, 9, 16]) {
        const r = await replayPolicyOnly(TINY, { frames, policy: policy as keyof typeof textbook });
        expect(r.references).toBe(refs.length);
        expect({ frames, misses: r.misses }).toEqual({ frames, misses: misses(refs, frames) });
      }
    });
  }

  it("vmm386 replay --policy-only agrees with the full VMM at --user-frames N --tlb off", async () => {
    const only = await cli("replay", TINY, "--policy-only", "--user-frames", "9", "--policy", "lru", "--json");
    const vmm = await cli("replay", TINY, "--user-frames", "9", "--tlb", "off", "--policy", "lru", "--json");
    expect(only.code).toBe(0);
    const o = JSON.parse(only.stdout) as { mode: string; misses: number; references: number };
    const v = JSON.parse(vmm.stdout) as { faults: { total: number }; references: number };
    expect(o.mode).toBe("policy-only");
    expect(o.references).toBe(v.references);
    expect(o.misses).toBe(v.faults.total);
  });

  it("refuses --policy-only without --user-frames, in one line with exit code 2", async () => {
    const r = await cli("replay", TINY, "--policy-only");
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--policy-only");
  });
});
