import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-opt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  machine: { policy: string };
  faults: { total: number; swapIn: number };
  processes: { status: string; throttledTicks: number }[];
}

async function runJson(...args: string[]): Promise<RunJson> {
  const r = await cli("run", ...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunJson;
}

describe("--policy opt on scenarios (the future recorded in earlier runs)", () => {
  it("run: OPT evicts better than LRU on the thrashing example, and everything finishes", async () => {
    const opt = await runJson("examples/thrashing.yaml", "--policy", "opt");
    const lru = await runJson("examples/thrashing.yaml", "--policy", "lru");
    expect(opt.machine.policy).toBe("opt");
    expect(opt.faults.swapIn).toBeLessThan(lru.faults.swapIn);
    expect(opt.processes.every((p) => p.status === "exited")).toBe(true);
  });

  it("run: without memory pressure OPT takes the same faults as any policy", async () => {
    expect((await runJson("examples/demand-paging.yaml", "--policy", "opt")).faults.total).toBe(80);
  });

  it("a scenario's own `policy: opt` runs the same way", async () => {
    const file = join(dir, "opt.yaml");
    writeFileSync(file, "machine: {ram: 3M, policy: opt}\nprocesses:\n  - name: a\n    steps: [{brk: +2M}, {touch: {at: heap, length: 2M, pattern: strided}}, {touch: {at: heap, length: 2M, pattern: strided}}]\n");
    const out = await runJson(file);
    expect(out.machine.policy).toBe("opt");
    expect(out.faults.swapIn).toBeGreaterThan(0);
  });

  it("inspect takes --policy opt", async () => {
    const inspect = await cli("inspect", "examples/swapping.yaml", "--policy", "opt", "--step", "3", "--show", "swap", "--json");
    expect(inspect.stderr).toBe("");
    expect(inspect.code).toBe(0);
    expect((JSON.parse(inspect.stdout) as { swap: { usedSlots: number } }).swap.usedSlots).toBeGreaterThan(0);
  });

  it("a scenario that forks is refused in one line at its fork step: a COW-shared frame has one next use per sharer", async () => {
    const run = await cli("run", "examples/fork-cow.yaml", "--policy", "opt");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^vmm386: examples\/fork-cow\.yaml:\d+: processes\[\d+\]\.steps\[\d+\]: policy opt cannot judge the frames a fork shares/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    const demo = await cli("demo", "--policy", "opt", "--json", "--report", join(dir, "demo.html"));
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/policy opt cannot judge the frames a fork shares/);
  });

  it("sweep compares OPT with the other policies on a scenario", async () => {
    // In this thread: worker threads are sweep.test's and the smoke test's business.
    const r = await cli("sweep", "examples/swapping.yaml", "--rams", "2M,3M", "--policies", "lru,opt", "--workers", "1", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const points = (JSON.parse(r.stdout) as { points: { policy: string; size: number; faults: number }[] }).points;
    for (const size of [2 << 20, 3 << 20]) {
      const at = (policy: string) => points.find((p) => p.policy === policy && p.size === size)!.faults;
      expect(at("opt")).toBeLessThanOrEqual(at("lru"));
    }
  });
});
