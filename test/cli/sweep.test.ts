import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";
import { workerCount } from "../../src/cli/commands/sweep.js";
import { parseFrames } from "../../src/cli/options.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-sweep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SweepJson {
  axis: string;
  policies: string[];
  sizes: number[];
  points: { policy: string; size: number; faults: number; references: number; missRatio: number }[];
}

describe("vmm386 sweep", () => {
  it("runs sizes × policies and exports the curve as SVG and PNG", async () => {
    const svg = join(dir, "c.svg");
    const png = join(dir, "c.png");
    const html = join(dir, "s.html");
    const r = await cli("sweep", "examples/thrashing.yaml", "--user-frames", "128,256,512", "--policies", "clock,lru", "--workers", "1", "--json", "--export-svg", svg, "--export-png", png, "--report", html);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as SweepJson;
    expect(out.axis).toBe("userFrames");
    expect(out.points).toHaveLength(6);
    for (const policy of ["clock", "lru"]) {
      const curve = out.points.filter((p) => p.policy === policy).sort((a, b) => a.size - b.size);
      expect(curve.map((p) => p.size)).toEqual([128, 256, 512]);
      // More memory never hurts these loops: the curve falls (or stays).
      expect(curve[2].faults).toBeLessThanOrEqual(curve[0].faults);
      for (const p of curve) expect(p.missRatio).toBeCloseTo(p.faults / p.references, 10);
    }
    expect(readFileSync(svg, "utf8")).toMatch(/^<!-- generator: vmm386 -->\n<svg/);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    expect(existsSync(html)).toBe(true);
  });

  it("the same points in one thread give the same faults as in workers", async () => {
    const one = JSON.parse((await cli("sweep", "examples/swapping.yaml", "--ram", "2M,4M", "--policies", "fifo", "--workers", "1", "--json")).stdout) as SweepJson;
    const two = JSON.parse((await cli("sweep", "examples/swapping.yaml", "--rams", "2M,4M", "--policies", "fifo", "--workers", "2", "--json")).stdout) as SweepJson;
    expect(one.axis).toBe("ram");
    expect(one.sizes).toEqual([2 << 20, 4 << 20]);
    expect(two.points.map((p) => p.faults)).toEqual(one.points.map((p) => p.faults));
  });

  it("bad lists are one-line errors naming the option", async () => {
    const r = await cli("sweep", "examples/swapping.yaml", "--policies", "clock,lfu-da");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vmm386: --policies: unknown policy 'lfu-da'/);
    expect(() => parseFrames("0,8")).toThrow(/^--frames: /);
    expect(() => parseFrames("8,x")).toThrow(/^--frames: /);
  });

  it("an empty item in a policy list is refused, as one in --frames is", async () => {
    expect(() => parseFrames("8,,16")).toThrow(/^--frames: '' is not a whole number/);
    const policies = await cli("sweep", "examples/swapping.yaml", "--policies", "opt,,lru");
    expect(policies.code).toBe(2);
    expect(policies.stderr).toBe("vmm386: --policies: 'opt,,lru' has an empty item\n");
    const policy = await cli("sweep", "examples/swapping.yaml", "--policy", "lru,");
    expect(policy.stderr).toBe("vmm386: --policy: 'lru,' has an empty item\n");
    expect((await cli("sweep", "examples/swapping.yaml", "--policies", " ")).stderr).toBe("vmm386: --policies: no policy given\n");
  });

  it("--policy is the policy list too; with --policies it is refused", async () => {
    const r = await cli("sweep", "examples/swapping.yaml", "--rams", "2M", "--policy", "lru", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as SweepJson;
    expect(out.policies).toEqual(["lru"]);
    expect(out.points.map((p) => p.policy)).toEqual(["lru"]);
    const both = await cli("sweep", "examples/swapping.yaml", "--policy", "lru", "--policies", "fifo");
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("vmm386: --policy: give --policies or --policy, not both\n");
  });

  it("a RAM size the kernel cannot run a process in is refused before any point runs", async () => {
    const r = await cli("sweep", "examples/swapping.yaml", "--rams", "1M,4M");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vmm386: --rams: RAM size 1M is out of range: 1584K /);
  });

  it("by default every CPU runs a worker, at least 2, and the main thread only hands out points", () => {
    expect(workerCount(undefined, 2)).toBe(2);
    expect(workerCount(undefined, 1)).toBe(2);
    expect(workerCount(undefined, 8)).toBe(8);
    expect(workerCount("1", 8)).toBe(1);
    expect(() => workerCount("0", 8)).toThrow(/^--workers: /);
  });

  it("--frames takes a list or a doubling range", () => {
    expect(parseFrames("64,16,32,16")).toEqual([16, 32, 64]);
    expect(parseFrames("8..64")).toEqual([8, 16, 32, 64]);
  });
});
