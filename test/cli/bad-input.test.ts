import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./cli-helper.js";
import { TEST_BIN } from "./test-bin.js";

/** One line on stderr, naming the problem and where, exit code 2, nothing on stdout. */
async function expectOneLineError(args: string[], ...mentions: string[]): Promise<void> {
  const r = await cli(...args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^vmm386: /);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

describe("bad input on the command line", () => {
  it("a missing trace, scenario or vector file is named", async () => {
    await expectOneLineError(["replay", "no-such.lackey.gz"], "no-such.lackey.gz", "no such file");
    await expectOneLineError(["conformance", "no-such.json"], "no-such.json", "no such file");
    await expectOneLineError(["run", "no-such.yaml"], "no-such.yaml");
  });

  it("a directory where a file is expected is named", async () => {
    await expectOneLineError(["replay", "test"], "test", "is a directory");
    await expectOneLineError(["convert", "test", "out.bin"], "test", "is a directory");
  });

  it("a 64-bit trace line with a 17-digit address, and a trace whose pages cannot be mapped, are named by file (and line)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmm386-bad-"));
    try {
      const wide = join(dir, "wide.lackey");
      writeFileSync(wide, "I  0401ab70,3\n S 1fff000d18,8\n L 10000000000000000,8\n");
      await expectOneLineError(["replay", wide], `${wide}:3: address of 17 hex digits is wider than 64 bits`);
      const spread = join(dir, "spread.lackey");
      writeFileSync(spread, Array.from({ length: 1700 }, (_, i) => ` L ${(0x7f0000000000 + i * 200 * 4096).toString(16)},4\n`).join(""));
      await expectOneLineError(["replay", spread], `${spread}: the trace's region`, "needs 339801 pages");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an out-of-range option names the option", async () => {
    await expectOneLineError(["run", "examples/demand-paging.yaml", "--ram", "5000G"], "--ram");
    await expectOneLineError(["replay", "test/fixtures/traces/tiny-static.lackey.gz", "--policy", "belady"], "--policy", "belady");
  });

  it("an unknown option or command is refused with exit code 2", async () => {
    const r = await cli("replay", "--no-such-option");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--no-such-option");
    expect((await cli("frobnicate")).code).toBe(2);
  });
});

describe("output into a closed pipe", () => {
  it("stops quietly with exit code 0 when the reader goes away (vmm386 ... | head -1)", () => {
    const r = spawnSync("bash", ["-c", `set -o pipefail; node ${TEST_BIN} inspect examples/fork-cow.yaml --show maps,pagemap,frames,swap | head -1`], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toContain("fork and copy-on-write");
  });
});
