import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli } from "../../cli/cli-helper.js";
import { FIXTURES, tempDir, writeFile } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const TINY = path.join(FIXTURES, "tiny-static.lackey.gz");

describe("vmm386 replay", () => {
  it("replay --json prints one object with accesses, references, faults by kind, vmstat, tlb, processes and the mapping", async () => {
    const r = await cli("replay", TINY, "--json", "--user-frames", "16", "--tlb", "off", "--policy", "lru");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(o.accesses).toBe(71389);
    expect(o.references).toBe(71417);
    expect(o.faults).toMatchObject({ segv: 0, cow: 0 });
    expect(Object.keys(o.faults as object)).toEqual(["total", "demandZero", "swapIn", "cow", "stack", "heap", "segv"]);
    expect(o.vmstat).toHaveProperty("pgmajfault");
    expect(o.tlb).toHaveProperty("hits");
    expect(o.processes).toEqual([expect.objectContaining({ pid: 1, status: "exited", exitCode: 0, faultReport: null })]);
    expect((o.mapping as { kind: string }[]).map((m) => m.kind)).toEqual(["mmap", "code", "heap", "stack"]);
  });

  it("replay prints the mapping table and a summary, and writes an HTML report", async () => {
    const report = path.join(tmp.dir, "r.html");
    const r = await cli("replay", TINY, "--report", report);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("trace range                 EYN-OS range                pages  kind");
    expect(r.stdout).toMatch(/0xfe936000-0xfe939000 -> 0xbfffd000-0xc0000000 +3 {2}stack/);
    expect(r.stdout).toContain("exited(0)");
    expect(fs.readFileSync(report, "utf8")).toContain("<svg");
  });

  it("a malformed trace line is one line naming file and line, exit code 2", async () => {
    const bad = writeFile(tmp.dir, "bad.lackey", "I  08049000,4\n Q 08049000,4\n");
    const r = await cli("replay", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`vmm386: ${bad}:2: expected 'I', ' L', ' S' or ' M' access line\n`);
  });
});
