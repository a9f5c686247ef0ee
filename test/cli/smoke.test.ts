/**
 * One spawned run of every command, as a user runs it: the bin on the
 * process's own streams, its exit status, its stdout parsed. Everything
 * else about the commands is tested in-process (main(argv, io)).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnCli } from "./cli-helper.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-smoke-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const TINY = path.resolve("test/fixtures/traces/tiny-dyn-head.lackey");

/** The command's JSON output; the run must have succeeded with nothing on stderr. */
function json(args: string[], cwd?: string): Record<string, unknown> {
  const r = spawnCli(args, { cwd });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("every command, spawned", () => {
  it("--version", () => {
    const r = spawnCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("demo (what npm start runs) writes its report where it is run", () => {
    expect(json(["demo", "--json"], dir).faults).toMatchObject({ cow: expect.any(Number) });
    expect(fs.existsSync(path.join(dir, "vmm386-report.html"))).toBe(true);
  });

  it("run", () => {
    expect(json(["run", "examples/demand-paging.yaml", "--json"]).faults).toMatchObject({ total: 80 });
  });

  it("replay", () => {
    expect(json(["replay", TINY, "--json"]).processes).toMatchObject([{ status: "exited" }]);
  });

  it("inspect", () => {
    expect(json(["inspect", "examples/fork-cow.yaml", "--show", "maps,swap", "--json"]).where).toBe("at the end");
  });

  it("sweep, over worker threads", () => {
    const out = json(["sweep", "examples/demand-paging.yaml", "--frames", "8,16", "--policies", "fifo,lru", "--workers", "2", "--json"]);
    expect(out.points).toHaveLength(4);
  });

  it("convert", () => {
    const r = spawnCli(["convert", TINY, path.join(dir, "t.bin")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(lackey, \d+ accesses\) -> .*t\.bin \(binary, \d+ accesses\)\n$/);
  });

  it("disk create and disk show", () => {
    const image = path.join(dir, "d.img");
    expect(spawnCli(["disk", "create", image, "--size", "8M", "--swap", "4M"]).code).toBe(0);
    expect(json(["disk", "show", image, "--json"]).swap).toEqual({ slot: 1, firstLba: 2048, slotCount: 1024 });
  });

  it("torture", () => {
    expect(json(["torture", "--ops", "100", "--seed", "3"])).toMatchObject({ ops: 100, mismatches: 0, leakedFrames: 0 });
  });

  it("mrc", () => {
    expect(json(["mrc", TINY, "--policy", "lru", "--json"])).toMatchObject({ accesses: expect.any(Number) });
  });

  it("record, into a file", () => {
    const trace = path.join(dir, "true.lackey");
    const r = spawnCli(["record", "-o", trace, "--max-accesses", "1000", "--", "/bin/true"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${trace}: 1000 accesses\n/bin/true: stopped after 1000 accesses (--max-accesses), then ended\n`);
  });

  it("policies, and policy-check loading a plugin (the example of docs/policies.md)", () => {
    expect(JSON.parse(spawnCli(["policies", "--json"]).stdout)).toContainEqual(expect.objectContaining({ name: "clock", default: true }));
    const doc = fs.readFileSync("docs/policies.md", "utf8");
    const example = /```js\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## Plugins")))?.[1] ?? "";
    fs.writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(dir, "mru.js"), example);
    const r = spawnCli(["policy-check", path.join(dir, "mru.js"), "--ops", "200"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok +contract: /m);
  });

  it("conformance, on the first vectors of the suite's file (test/machine/conformance.test.ts runs them all)", () => {
    const vectors = JSON.parse(fs.readFileSync("test/fixtures/conformance/i386-paging.json", "utf8")) as { scenarios: unknown[] };
    const file = path.join(dir, "vectors.json");
    fs.writeFileSync(file, JSON.stringify({ ...vectors, scenarios: vectors.scenarios.slice(0, 8) }));
    expect(json(["conformance", file])).toMatchObject({ scenarios: 8, passed: 8, failed: 0 });
  });
});
