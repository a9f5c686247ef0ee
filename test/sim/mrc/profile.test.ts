import { afterAll, describe, expect, it } from "vitest";
import * as path from "node:path";
import { profileTrace } from "../../../src/sim/mrc/profile.js";
import type { MrcCurve } from "../../../src/sim/mrc/curve.js";
import { replayPolicyOnly } from "../../../src/sim/trace/policy-only.js";
import { FIXTURES, tempDir } from "../trace/helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const HEAD = path.join(FIXTURES, "busybox-awk-head.lackey.gz");
const VMM = { ramBytes: 16 << 20, swapBytes: 16 << 20, tlb: "off" as const };

function curve(curves: readonly MrcCurve[], policy: string, method: string, vmm = false): MrcCurve {
  const c = curves.find((x) => x.policy === policy && x.method === method && (x.vmm === true) === vmm);
  if (c === undefined) throw new Error(`no ${policy} ${method} curve`);
  return c;
}

describe("profileTrace (vmm386 mrc)", () => {
  it("gives exact LRU and OPT curves at every size, equal to policy-only replays of the trace", async () => {
    const r = await profileTrace(HEAD, { exact: ["lru", "opt"] });
    expect(r).toMatchObject({ format: "lackey", accesses: 20000, references: 20000, distinctPages: 16 });
    for (const policy of ["lru", "opt"] as const) {
      const c = curve(r.curves, policy, "exact");
      expect(c.points.map((p) => p.size)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      for (const p of c.points) expect(p.misses).toBe((await replayPolicyOnly(HEAD, { frames: p.size, policy })).misses);
    }
    expect(curve(r.curves, "lru", "exact").histogram?.cold).toBe(16);
  });

  it("with --check, SHARDS comes with the exact LRU curve and its error against it", async () => {
    const r = await profileTrace(HEAD, { shards: { rate: 0.5, seed: 1 }, check: true });
    const shards = curve(r.curves, "lru", "shards");
    expect(curve(r.curves, "lru", "exact").points).toHaveLength(16);
    expect(shards.sampling).toMatchObject({ mode: "fixed-rate", rate: 0.5, seed: 1 });
    expect(shards.error).toMatchObject({ against: "lru exact", sizes: 16 });
    expect(shards.error?.mae).toBeGreaterThanOrEqual(0);
  });

  it("MINISIM through the full VMM gives what the policy alone gives on the same sample (TLB off, frames capped)", async () => {
    const sizes = [2, 4, 8, 16];
    const alone = await profileTrace(HEAD, { minisim: { rate: 0.5, seed: 2, policies: ["lru", "clock"], sizes } });
    const vmm = await profileTrace(HEAD, { minisim: { rate: 0.5, seed: 2, policies: ["lru", "clock"], sizes, vmm: VMM }, tempDir: tmp.dir });
    for (const policy of ["lru", "clock"]) {
      const a = curve(alone.curves, policy, "minisim");
      const v = curve(vmm.curves, policy, "minisim", true);
      expect(v.points).toEqual(a.points);
      expect(v.points.length).toBe(4);
    }
  });

  it("MINISIM at rate 1 with --check equals the full simulation, through the VMM as through the policy", async () => {
    const sizes = [3, 6, 12];
    const r = await profileTrace(HEAD, { minisim: { rate: 1, policies: ["fifo"], sizes, vmm: VMM }, check: true, tempDir: tmp.dir });
    const mini = curve(r.curves, "fifo", "minisim", true);
    const full = curve(r.curves, "fifo", "simulation", true);
    expect(mini.points).toEqual(full.points);
    expect(mini.error).toMatchObject({ against: "fifo simulation (vmm)", mae: 0, sizes: 3 });
    for (const p of full.points) expect(p.misses).toBe((await replayPolicyOnly(HEAD, { frames: p.size, policy: "fifo" })).misses);
  });
});
