import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("vmm386 run", () => {
  it("--json prints one object with counters, fault kinds, vmstat, tlb and each process's status", () => {
    const r = cli("run", "examples/fork-cow.yaml", "--json", "--policy", "fifo", "--tlb", "16");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      faults: Record<string, number>;
      vmstat: Record<string, number>;
      tlb: Record<string, number>;
      processes: { name: string; status: string; exitCode: number | null; faultReport: unknown }[];
    };
    expect(out.machine).toMatchObject({ ram: "8M", policy: "fifo", tlb: "16 entries, 4-way" });
    expect(out.accesses).toBeGreaterThan(0);
    expect(out.references).toBeGreaterThan(0);
    expect(Object.keys(out.faults).sort()).toEqual(["cow", "demandZero", "heap", "segv", "stack", "swapIn", "total"]);
    expect(out.faults.cow).toBe(64);
    expect(out.vmstat.pgfault).toBe(out.faults.total);
    expect(out.tlb.hits).toBeGreaterThan(0);
    expect(out.processes.map((p) => [p.name, p.status, p.exitCode, p.faultReport])).toEqual([
      ["parent", "exited", 0, null],
      ["child", "exited", 0, null],
    ]);
  });

  it("a killed process carries its fault report in --json", () => {
    const r = cli("run", "examples/segfault.yaml", "--json");
    const out = JSON.parse(r.stdout) as { processes: { name: string; status: string; faultReport: { address: number } | null }[] };
    const buggy = out.processes.find((p) => p.name === "buggy")!;
    expect(buggy.status).toBe("killed");
    expect(buggy.faultReport!.address).toBe(0x10);
  });

  it("prints a summary table and writes the HTML report asked for", () => {
    const report = join(dir, "r.html");
    const r = cli("run", "examples/demand-paging.yaml", "--report", report, "--policy", "lru", "--tlb", "off");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("demand-0");
    expect(r.stdout).toContain(`report: ${report}`);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, "utf8")).toContain("<svg");
  });

  it("an unknown scenario key: one line naming file, line and key, exit 2", () => {
    const r = cli("run", "test/fixtures/scenarios/bad-key.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: test/fixtures/scenarios/bad-key.yaml:6: processes[0].steps[1]: unknown key 'touchh'\n");
    expect(r.stdout).toBe("");
  });

  it("a missing file and a size out of range: one line, exit 2, no stack trace", () => {
    const missing = cli("run", "no/such.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("vmm386: no/such.yaml: no such file\n");
    const ram = cli("run", "examples/fork-cow.yaml", "--ram", "4G");
    expect(ram.code).toBe(2);
    expect(ram.stderr).toBe("vmm386: --ram: RAM size 4G is out of range (1M to 3G)\n");
  });
});

describe("vmm386 itself", () => {
  it("--version prints the package's version and exits 0", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const r = cli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("a command's help states the machine's defaults", () => {
    const r = cli("replay", "--help");
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain("else 16M)");
    expect(help).toContain("else i486)");
    expect(help).toContain("else clock)");
  });
});
