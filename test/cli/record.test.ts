/** `vmm386 record`: a program's trace replayed as it comes, and its refusals, each one line with exit code 2. */
import { describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";

describe("vmm386 record", () => {
  it("replays a program's trace as it comes, cut at --max-accesses, with replay's options and --json", async () => {
    const r = await cli("record", "--max-accesses", "20000", "--user-frames", "16", "--tlb", "off", "--json", "--", "/bin/sh", "-c", "while :; do :; done");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { accesses: number; faults: { total: number; segv: number }; mapping: { kind: string }[] };
    expect(json.accesses).toBe(20000);
    expect(json.faults.segv).toBe(0);
    expect(json.mapping.at(-1)?.kind).toBe("stack");
  });

  it("refuses in one line: a replay option with -o, a program Valgrind cannot run, no Valgrind on the PATH", async () => {
    const withRam = await cli("record", "-o", "x.lackey.gz", "--ram", "4M", "--", "/bin/true");
    expect([withRam.code, withRam.stderr]).toEqual([2, "vmm386: --ram: has no meaning with -o: the trace is written, not replayed\n"]);
    const missing = await cli("record", "--", "/nonexistent/prog");
    expect([missing.code, missing.stderr, missing.stdout]).toEqual([2, "vmm386: valgrind cannot run /nonexistent/prog: No such file or directory\n", ""]);
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    let noValgrind;
    try {
      noValgrind = await cli("record", "--", "/bin/true");
    } finally {
      process.env.PATH = path;
    }
    expect(noValgrind.code).toBe(2);
    expect(noValgrind.stderr).toMatch(/^vmm386: valgrind is not on the PATH: install it \(Debian\/Ubuntu: sudo apt-get install valgrind;[^\n]*\)\n$/);
  });
});
