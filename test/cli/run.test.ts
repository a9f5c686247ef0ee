import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";
import { Invocation } from "../../src/cli/io.js";
import { emitRun } from "../../src/cli/output.js";
import { runSummaryTable } from "../../src/report/summary-table.js";
import { syntheticRun } from "../report/fixtures.js";
import { newVmStat, newVmm386Stat } from "../../src/kernel/vmstat.js";

const dir = mkdtempSync(join(tmpdir(), "vmm386-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("vmm386 run", () => {
  it("--json prints one object with counters, fault kinds, vmstat, vmm386, tlb and each process's status", async () => {
    const r = await cli("run", "examples/fork-cow.yaml", "--json", "--policy", "fifo", "--tlb", "16");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      faults: Record<string, number>;
      vmstat: Record<string, number>;
      vmm386: Record<string, number>;
      tlb: Record<string, number>;
      processes: { name: string; status: string; exitCode: number | null; faultReport: unknown }[];
    };
    expect(out.machine).toMatchObject({ ram: "8M", policy: "fifo", tlb: "16 entries, 4-way" });
    expect(out.accesses).toBeGreaterThan(0);
    expect(out.references).toBeGreaterThan(0);
    expect(Object.keys(out.faults).sort()).toEqual(["cow", "demandZero", "heap", "segv", "stack", "swapIn", "total"]);
    expect(out.faults.cow).toBe(64);
    expect(out.vmstat.pgfault).toBe(out.faults.total);
    // vmstat holds only /proc/vmstat names; the counters Linux has no equivalent of are in vmm386.
    expect(Object.keys(out.vmstat)).toEqual(Object.keys(newVmStat()));
    expect(Object.keys(out.vmm386)).toEqual(Object.keys(newVmm386Stat()));
    expect(out.vmstat.pgreuse + out.vmm386.cow_copy).toBe(out.faults.cow);
    expect(out.tlb.hits).toBeGreaterThan(0);
    expect(out.processes.map((p) => [p.name, p.status, p.exitCode, p.faultReport])).toEqual([
      ["parent", "exited", 0, null],
      ["child", "exited", 0, null],
    ]);
  });

  it("a killed process carries its fault report in --json", async () => {
    const r = await cli("run", "examples/segfault.yaml", "--json");
    const out = JSON.parse(r.stdout) as { processes: { name: string; status: string; faultReport: { address: number } | null }[] };
    const buggy = out.processes.find((p) => p.name === "buggy")!;
    expect(buggy.status).toBe("killed");
    expect(buggy.faultReport!.address).toBe(0x10);
  });

  it("prints a summary table and writes the HTML report asked for", async () => {
    const report = join(dir, "r.html");
    const r = await cli("run", "examples/demand-paging.yaml", "--report", report, "--policy", "lru", "--tlb", "off");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("demand-0");
    expect(r.stdout).toContain(`report: ${report}`);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, "utf8")).toContain("<svg");
  });

  it("an unknown scenario key: one line naming file, line and key, exit 2", async () => {
    const r = await cli("run", "test/fixtures/scenarios/bad-key.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vmm386: test/fixtures/scenarios/bad-key.yaml:6: processes[0].steps[1]: unknown key 'touchh'\n");
    expect(r.stdout).toBe("");
  });

  it("a missing file and a size out of range: one line, exit 2, no stack trace", async () => {
    const missing = await cli("run", "no/such.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("vmm386: no/such.yaml: no such file\n");
    const ram = await cli("run", "examples/fork-cow.yaml", "--ram", "4G");
    expect(ram.code).toBe(2);
    expect(ram.stderr).toBe("vmm386: --ram: RAM size 4G is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G\n");
  });

  it("the least RAM runs one process touching one page; 4K less is refused, naming --ram or the scenario key", async () => {
    const steps = "processes:\n  - name: app\n    steps: [{brk: +4K}, {touch: {at: heap, length: 4K, access: write}}, {exit: 0}]\n";
    writeFileSync(join(dir, "one-page.yaml"), steps);
    const least = await cli("run", join(dir, "one-page.yaml"), "--ram", "1584K", "--json");
    expect(least.code).toBe(0);
    const out = JSON.parse(least.stdout) as { notes: string[]; processes: { status: string; exitCode: number | null }[] };
    expect(out.notes).toEqual([]);
    expect(out.processes.map((p) => [p.status, p.exitCode])).toEqual([["exited", 0]]);
    const option = await cli("run", join(dir, "one-page.yaml"), "--ram", "1580K");
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("vmm386: --ram: RAM size 1580K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G\n");
    writeFileSync(join(dir, "one-page-short.yaml"), `machine:\n  ram: 1580K\n${steps}`);
    const key = await cli("run", join(dir, "one-page-short.yaml"));
    expect(key.code).toBe(2);
    expect(key.stderr).toBe(`vmm386: ${join(dir, "one-page-short.yaml")}:2: machine.ram: RAM size 1580K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G\n`);
  });

  it("a TLB shape or option pair it cannot build: one line naming the option, exit 2", async () => {
    const tlb = await cli("run", "examples/fork-cow.yaml", "--tlb", "33");
    expect(tlb.code).toBe(2);
    expect(tlb.stderr).toBe("vmm386: --tlb: 33 entries cannot be split into 4 ways (entries must be a multiple of 4, or 1, 2 for a fully associative TLB)\n");
    const swap = await cli("run", "examples/fork-cow.yaml", "--swap", "4M", "--swap-image", "test/fixtures/disk/swap82.img.gz");
    expect(swap.code).toBe(2);
    expect(swap.stderr).toMatch(/^vmm386: --swap: give --swap .* or --swap-image .*, not both\n$/);
  });

  it("the summary shows throttled ticks when the throttle acted", async () => {
    const r = await cli("run", "examples/thrashing.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ heavy +│ - +│ exited\(0\) │ [1-9][\d,]* +│/);
    expect(r.stdout).toMatch(/│ editor +│ - +│ exited\(0\) │ 0 +│/);
    const calm = { ...syntheticRun(), processes: syntheticRun().processes.map((p) => ({ ...p, throttledTicks: 0 })) };
    expect(runSummaryTable(calm)).not.toContain("throttled");
  });

  it("the turns the throttle made processes sit out: the same count in --json, the summary and the report", async () => {
    const json = await cli("run", "examples/thrashing.yaml", "--json");
    expect(json.code).toBe(0);
    const skips = (JSON.parse(json.stdout) as { throttleSkips: number }).throttleSkips;
    expect(skips).toBeGreaterThan(0);
    const report = join(dir, "thrashing.html");
    const r = await cli("run", "examples/thrashing.yaml", "--report", report);
    expect(r.code).toBe(0);
    const line = `thrashing throttle: throttled processes sat out ${skips.toLocaleString("en-US")} turns so that others could run`;
    expect(r.stdout).toContain(`\n${line}`);
    expect(readFileSync(report, "utf8")).toContain(`<p>${line}</p>`);
    const calm = await cli("run", "examples/demand-paging.yaml", "--json");
    expect((JSON.parse(calm.stdout) as { throttleSkips: number }).throttleSkips).toBe(0);
    expect(runSummaryTable(syntheticRun())).not.toContain("thrashing throttle");
  });
});

describe("emitRun", () => {
  it("a kernel panic fails the run (exit code 1) with --json as without", async () => {
    const panicked = { ...syntheticRun(), panic: { pid: 1, address: 0xc0000000, errorCode: 0, access: "read" as const, mode: "supervisor" as const, reason: "supervisor page fault" } };
    const written: string[] = [];
    const invocation = (): Invocation => {
      const stdout = new PassThrough().on("data", (b: Buffer) => written.push(b.toString()));
      return new Invocation({ stdout, stderr: new PassThrough(), stdin: new PassThrough() });
    };
    for (const json of [true, false]) {
      const inv = invocation();
      await emitRun(inv, panicked, json, null);
      expect(inv.exitCode, json ? "--json" : "table").toBe(1);
    }
    const calm = invocation();
    await emitRun(calm, syntheticRun(), true, null);
    expect(calm.exitCode).toBe(0);
    expect((JSON.parse(written[0]) as { panic: { reason: string } }).panic.reason).toBe("supervisor page fault");
  });
});

describe("vmm386 itself", () => {
  it("--version prints the package's version and exits 0", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("a command's help states the machine's defaults", async () => {
    const r = await cli("replay", "--help");
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain("else 16M)");
    expect(help).toContain("else i486)");
    expect(help).toContain("else clock)");
  });
});
