import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, messageOf } from "./cli-helper.js";
import { parseMrcOptions, type MrcCommandOptions } from "../../src/cli/commands/mrc.js";
import type { MrcResult } from "../../src/sim/mrc/curve.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-mrc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HEAD = "test/fixtures/traces/busybox-awk-head.lackey.gz";
/** What the option parser knows of the trace: a file, read again if need be. */
const FILE = { isStream: false };

describe("vmm386 mrc", () => {
  it("prints the exact LRU and OPT curves as JSON, writes every point as CSV and the HTML report with curve and histogram", async () => {
    const csv = join(dir, "c.csv");
    const html = join(dir, "r.html");
    const r = await cli("mrc", HEAD, "--policy", "lru,opt", "--json", "--csv", csv, "--report", html);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MrcResult;
    expect(out.curves.map((c) => `${c.policy} ${c.method}`)).toEqual(["lru exact", "opt exact"]);
    const lru = out.curves[0];
    expect(lru.points[0]).toEqual({ size: 1, misses: 6757, missRatio: 6757 / 20000 });
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toBe("curve,policy,method,vmm,size,misses,miss_ratio");
    expect(rows).toHaveLength(1 + 16 + 16);
    expect(rows[1]).toBe(`lru exact,lru,exact,false,1,6757,${6757 / 20000}`);
    const report = readFileSync(html, "utf8");
    expect(report.match(/<svg/g)).toHaveLength(2); // the curves, the reuse-distance histogram
    expect(report).toContain("Reuse (stack) distances");
  });

  it("prints a table, SHARDS' error with --check, and the time", async () => {
    const r = await cli("mrc", HEAD, "--shards", "0.5", "--check");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("lru exact");
    expect(r.stdout).toMatch(/lru shards vs lru exact: MAE \d\.\d{4}, max \d\.\d{4} at \d+ frames, over 16 sizes/);
    expect(r.stdout).toMatch(/time: [\d.]+ s/);
  });

  it("refuses bad options in one line naming the option (exit 2), before writing anything", async () => {
    const csv = join(dir, "bad.csv");
    const r = await cli("mrc", HEAD, "--shards", "1.5", "--csv", csv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("vmm386: --shards: '1.5' is not a sampling rate (a number, 0 < rate <= 1)\n");
    expect(existsSync(csv)).toBe(false);
  });

  it("replaces its own earlier CSV but not another file, which stays as it was", async () => {
    const csv = join(dir, "again.csv");
    expect((await cli("mrc", HEAD, "--csv", csv)).code).toBe(0);
    expect((await cli("mrc", HEAD, "--csv", csv, "--policy", "opt")).code).toBe(0);
    expect(readFileSync(csv, "utf8")).toContain("opt exact,opt,exact");
    const mine = join(dir, "mine.csv");
    writeFileSync(mine, "a,b\n1,2\n");
    const r = await cli("mrc", HEAD, "--csv", mine);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vmm386: --csv .*mine\.csv: .*--force/);
    expect(readFileSync(mine, "utf8")).toBe("a,b\n1,2\n");
  });
});

describe("vmm386 mrc options", () => {
  const parse = (o: MrcCommandOptions) => messageOf(() => parseMrcOptions(FILE, o));

  it("names what is wrong and where", () => {
    expect(parse({ policy: "arc" })).toBe("--policy: arc has no exact one-pass curve (only the stack algorithms lru and opt): estimate it with --minisim RATE");
    expect(parse({ policy: "lru,nope" })).toContain("--policy: unknown policy 'nope'");
    expect(parse({ check: true })).toBe("--check: compares an estimate (--shards, --shards-size, --minisim) with the exact curve: give one");
    expect(parse({ shards: "0.1", shardsSize: "10" })).toContain("--shards-size: give a fixed rate");
    expect(parse({ shards: "0" })).toContain("--shards: '0' is not a sampling rate");
    expect(parse({ minisim: "abc" })).toContain("--minisim: 'abc' is not a sampling rate");
    expect(parse({ shardsSize: "0" })).toContain("--shards-size: 0 is out of range");
    expect(parse({ frames: "8,16" })).toBe("--frames: only applies with --minisim");
    expect(parse({ vmm: true })).toBe("--vmm: only applies with --minisim");
    expect(parse({ minisim: "0.1", tlb: "off" })).toBe("--tlb: sets up the VMM of --minisim --vmm; curves alone have no machine");
    expect(parse({ userFrames: "8" })).toContain("--user-frames: a curve covers every size");
    expect(parse({ minisim: "0.1", frames: "0,8" })).toContain("--frames");
  });

  it("reads the estimators and their policies", () => {
    expect(parseMrcOptions(FILE, {})).toMatchObject({ exact: ["lru"], check: false });
    expect(parseMrcOptions(FILE, { shards: "0.01", seed: "7" })).toMatchObject({ exact: [], shards: { rate: 0.01, seed: 7 } });
    expect(parseMrcOptions(FILE, { shardsSize: "4096", policy: "opt" })).toMatchObject({ exact: ["opt"], shards: { maxPages: 4096 } });
    const mini = parseMrcOptions(FILE, { minisim: "0.1", policy: "clock,arc", frames: "8..64", vmm: true, tlb: "off", ram: "8M" });
    expect(mini.minisim).toMatchObject({ rate: 0.1, policies: ["clock", "arc"], sizes: [8, 16, 32, 64], vmm: { tlb: "off", ramBytes: 8 << 20 } });
    expect(mini.minisim?.vmm?.policy).toBeUndefined();
  });
});
