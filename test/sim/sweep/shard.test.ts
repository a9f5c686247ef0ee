import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { gridFingerprint } from "../../../src/sim/sweep/grid-fingerprint.js";
import { mergeSweepParts, type PartFile } from "../../../src/sim/sweep/merge.js";
import { parseShard, shardIndices } from "../../../src/sim/sweep/shard.js";
import { runSweepShard, SWEEP_PART, sweepPartText } from "../../../src/sim/sweep/sweep-part.js";
import { runSweep, type SweepPlan } from "../../../src/sim/sweep/sweep.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-shard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACE = "test/fixtures/traces/busybox-awk-head.lackey.gz";
/** 2 policies × 3 sizes, policy-free settings as the command line leaves them. */
const PLAN: SweepPlan = { source: TRACE, kind: "trace", axis: "userFrames", sizes: [4, 6, 8], policies: ["lru", { name: "2q", params: { kin: 0.1 } }], settings: { tlb: "off" } };

describe("shards of a grid", () => {
  it("the shards of N partition the points: each index in exactly one shard, dealt out in turn", () => {
    fc.assert(
      fc.property(fc.nat(300), fc.integer({ min: 1, max: 40 }), (total, count) => {
        const seen = new Array<number>(total).fill(0);
        for (let index = 0; index < count; index++) {
          const indices = shardIndices(total, { index, count });
          for (const i of indices) {
            expect(i % count).toBe(index);
            seen[i]++;
          }
          // Shards differ by at most one point.
          expect(Math.abs(indices.length - total / count)).toBeLessThan(1);
        }
        expect(seen.every((n) => n === 1)).toBe(true);
      }),
    );
  });

  it("I/N parses with 0 <= I < N; anything else is one problem line", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard(" 7 / 8 ")).toEqual({ index: 7, count: 8 });
    for (const bad of ["8/8", "0/0", "-1/4", "1/4/2", "a/4", "1.5/4", "", "0/100001"]) expect(parseShard(bad)).toHaveProperty("problem");
  });
});

describe("a grid's fingerprint", () => {
  it("is the same for the same grid and for a copy of the trace elsewhere, and differs with anything that changes a result", async () => {
    const copy = join(dir, "copy.lackey.gz");
    copyFileSync(TRACE, copy);
    const base = await gridFingerprint(PLAN);
    expect(await gridFingerprint({ ...PLAN, policies: [...PLAN.policies] })).toBe(base);
    expect(await gridFingerprint({ ...PLAN, source: copy })).toBe(base);
    // Where boot settings were given (for messages) decides nothing.
    expect(await gridFingerprint({ ...PLAN, settings: { tlb: "off", bootOrigins: {} } })).toBe(base);
    const changed: SweepPlan[] = [
      { ...PLAN, sizes: [4, 6, 16] },
      { ...PLAN, axis: "ram" },
      { ...PLAN, policies: ["lru", { name: "2q", params: { kin: 0.2 } }] },
      { ...PLAN, policies: ["lru", "2q"] },
      { ...PLAN, policies: ["lru", "mglru"] },
      { ...PLAN, policies: ["lru", { name: "mglru", params: { min_ttl: 0 } }] },
      { ...PLAN, policies: [{ name: "2q", params: { kin: 0.1 } }, "lru"] },
      { ...PLAN, settings: { tlb: "off", cpu: "i386" } },
      { ...PLAN, settings: {} },
      { ...PLAN, source: "test/fixtures/traces/tiny-static.lackey.gz" },
    ];
    const prints = await Promise.all(changed.map(gridFingerprint));
    expect(new Set([base, ...prints]).size).toBe(changed.length + 1);
  });

  it("covers a plugin policy's content: an edited plugin is another grid", async () => {
    const plugin = join(dir, "mru.js");
    writeFileSync(plugin, "export default 1;\n");
    const plan: SweepPlan = { ...PLAN, policies: [{ plugin, given: "./mru.js" }] };
    const before = await gridFingerprint(plan);
    writeFileSync(plugin, "export default 2;\n");
    expect(await gridFingerprint(plan)).not.toBe(before);
  });

  it("covers a multiboot module's content, not only its path", async () => {
    const module = join(dir, "initrd.bin");
    writeFileSync(module, "one");
    const plan = { ...PLAN, settings: { modules: [{ path: module }] } };
    const before = await gridFingerprint(plan);
    writeFileSync(module, "two");
    expect(await gridFingerprint(plan)).not.toBe(before);
  });
});

describe("merging parts", () => {
  async function parts(count: number): Promise<PartFile[]> {
    const all: PartFile[] = [];
    for (let index = 0; index < count; index++) all.push({ file: `p${index}.json`, part: await runSweepShard(PLAN, { index, count }) });
    return all;
  }

  it("the shards' points merged are the unsharded sweep's result, key for key", async () => {
    const whole = await runSweep(PLAN);
    for (const count of [1, 2, 4, 7]) expect(JSON.stringify(mergeSweepParts(await parts(count)))).toBe(JSON.stringify(whole));
  });

  it("a part holding other points than its shard's is refused, naming it", async () => {
    const [p0, p1] = await parts(2);
    const wrong = { ...p1, part: { ...p1.part, points: p1.part.points.slice(1) } };
    expect(() => mergeSweepParts([p0, wrong])).toThrow("p1.json: shard 1/2 of 6 points should hold 3 points (1, 3, 5), holds 2 points (3, 5)");
    const swapped = { ...p1, part: { ...p1.part, points: p0.part.points } };
    expect(() => mergeSweepParts([p0, swapped])).toThrow("p1.json: shard 1/2 of 6 points should hold 3 points (1, 3, 5), holds 3 points (0, 2, 4)");
  });

  it("a part made by another vmm386 is refused, naming it", async () => {
    const [p0, p1] = await parts(2);
    expect(() => mergeSweepParts([p0, { ...p1, part: { ...p1.part, vmm386: "0.0.1" } }])).toThrow(/^p1\.json: made by vmm386 0\.0\.1, p0\.json by /);
  });

  it("the part file starts with its format tag, so an earlier part is recognised and replaced", async () => {
    const [{ part }] = await parts(1);
    const text = sweepPartText(part);
    expect(text).toMatch(/^\{\n "format": "vmm386-sweep-part",\n "version": 1,/);
    expect(SWEEP_PART.recognise(Buffer.from(text), true)).toBe(true);
    expect(SWEEP_PART.recognise(Buffer.from('{"title": "x"}'), true)).toBe(false);
  });
});
