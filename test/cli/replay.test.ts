import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PTE } from "../../src/machine/i386.js";
import { KERNEL_PD_INDEX } from "../../src/kernel/layout.js";
import type { System } from "../../src/sim/system.js";
import { replayTrace } from "../../src/sim/trace/replay.js";
import { replayRunResult } from "../../src/sim/trace/replay-run.js";
import { systemConfig } from "../../src/sim/machine-settings.js";
import { runResultJson } from "../../src/report/json.js";
import { runSummaryTable } from "../../src/report/summary-table.js";
import { execFileSync } from "node:child_process";
import * as zlib from "node:zlib";
import { cli, cliWith, spawnCli, spawnCliAsync } from "./cli-helper.js";

const TINY = path.resolve("test/fixtures/traces/tiny-static.lackey.gz");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-replay-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("vmm386 replay: exit code", () => {
  it("is 1 when the trace's process is killed, with or without --json", async () => {
    const args = ["replay", TINY, "--user-frames", "2", "--swap", "0"];
    const table = await cli(...args);
    expect(table.stdout).toContain("killed at");
    expect(table.code).toBe(1);
    const json = await cli(...args, "--json");
    expect(json.code).toBe(1);
    const o = JSON.parse(json.stdout) as { processes: { status: string }[] };
    expect(o.processes[0].status).toBe("killed");
  });

  it("is 0 when the process runs the trace to the end, with or without --json", async () => {
    expect((await cli("replay", TINY, "--json")).code).toBe(0);
    expect((await cli("replay", TINY)).code).toBe(0);
  });
});

describe("vmm386 replay --strict-tlb", () => {
  it("reports the checker's findings in the JSON (zero with a correct kernel) and the HTML, null without strict mode", async () => {
    const report = path.join(tmp, "strict.html");
    const strict = await cli("replay", TINY, "--strict-tlb", "--json", "--report", report);
    expect(strict.code).toBe(0);
    expect((JSON.parse(strict.stdout) as { strictTlb: unknown }).strictTlb).toEqual({ count: 0, messages: [] });
    expect(fs.readFileSync(report, "utf8")).toContain("No access was served by a stale TLB entry.");
    const plain = await cli("replay", TINY, "--json");
    expect((JSON.parse(plain.stdout) as { strictTlb: unknown }).strictTlb).toBeNull();
  });

  it("carries the checker's own count through to the JSON and the summary when a PTE goes stale", async () => {
    const config = systemConfig({ strictTlb: true });
    let calls = 0;
    let checkerCount = -1;
    const result = await replayTrace(TINY, {
      system: config,
      samples: 10,
      onSample: (system) => {
        // Halfway through, a kernel bug: every user page made read-only without invalidating the TLB.
        if (++calls === 5) clearUserWritable(system);
        checkerCount = system.machine.mmu.strictViolationCount;
      },
    });
    expect(checkerCount).toBeGreaterThan(0);
    expect(result.strictTlb?.count).toBe(checkerCount);
    const run = replayRunResult(result, config, undefined);
    expect(runResultJson(run).strictTlb).toEqual({ count: checkerCount, messages: expect.arrayContaining([expect.stringMatching(/^stale TLB entry/)]) });
    expect(runSummaryTable(run)).toContain(`strict TLB: ${checkerCount} stale-entry access(es)`);
  });
});

describe("vmm386 replay --tlb off", () => {
  it("shows the TLB hit rate as 'off' and draws no TLB chart", async () => {
    const report = path.join(tmp, "tlb-off.html");
    const r = await cli("replay", TINY, "--tlb", "off", "--report", report);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ off +│\n/);
    expect(r.stdout).not.toContain("0.0 %");
    const html = fs.readFileSync(report, "utf8");
    expect(html).toContain("<b>off</b><span>TLB hit rate</span>");
    expect(html.match(/<svg/g)?.length).toBe(3);
  });
});

describe("vmm386 replay --policy-only", () => {
  it("refuses each option of a VMM run in one line naming it, exit code 2, and writes no report", async () => {
    const report = path.join(tmp, "policy.html");
    const refused: [string[], string][] = [
      [["--ram", "4M"], "--ram has no meaning with --policy-only: no machine (--user-frames gives the policy its frames)"],
      [["--swap", "0"], "--swap has no meaning with --policy-only: no swap"],
      [["--swap-image", path.join(tmp, "none.img")], "--swap-image has no meaning with --policy-only: no swap"],
      [["--cpu", "i386"], "--cpu has no meaning with --policy-only: no machine"],
      [["--cmdline", "quiet"], "--cmdline has no meaning with --policy-only: no machine to boot"],
      [["--module", "package.json"], "--module has no meaning with --policy-only: no machine to boot"],
      [["--tlb", "off"], "--tlb has no meaning with --policy-only: no MMU"],
      [["--strict-tlb"], "--strict-tlb has no meaning with --policy-only: no MMU"],
      [["--invariants"], "--invariants has no meaning with --policy-only: no kernel"],
      [["--brk-start", "0x080f0000"], "--brk-start has no meaning with --policy-only: no address space to lay the trace out in"],
      [["--tick-every", "10"], "--tick-every has no meaning with --policy-only: no kernel to tick"],
      [["--report", report], "--report has no meaning with --policy-only: no VMM run to chart (--json gives the counts)"],
    ];
    const runs = await Promise.all(refused.map(([option]) => cli("replay", TINY, "--policy-only", "--user-frames", "9", ...option)));
    runs.forEach((r, i) => {
      expect(r.stderr).toBe(`vmm386: ${refused[i][1]}\n`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    });
    expect(fs.existsSync(report)).toBe(false);
    // --policy and --user-frames are the policy's own: taken.
    expect((await cli("replay", TINY, "--policy-only", "--user-frames", "9", "--policy", "fifo")).code).toBe(0);
  });

  it("--json has accesses, references and faults.total as the full replay's does (the misses are the faults)", async () => {
    const r = await cli("replay", TINY, "--policy-only", "--user-frames", "9", "--policy", "lru", "--json");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as { accesses: number; references: number; misses: number; faults: { total: number } };
    expect(o.accesses).toBe(71389);
    expect(o.references).toBe(71417);
    expect(o.faults).toEqual({ total: o.misses });
    expect(o.misses).toBeGreaterThan(0);
    expect((await cli("replay", "--help")).stdout).toContain("faults: {total}");
  });
});

/** Clears R/W in every present user PTE of the current address space, with no INVLPG or CR3 reload. */
function clearUserWritable(system: System): void {
  const memory = system.machine.memory;
  const pd = system.machine.mmu.cr3 & ~0xfff;
  for (let i = 0; i < KERNEL_PD_INDEX; i++) {
    const pde = memory.read32(pd + i * 4);
    if ((pde & PTE.PRESENT) === 0 || (pde & PTE.PS) !== 0) continue;
    const table = (pde & ~0xfff) >>> 0;
    for (let j = 0; j < 1024; j++) {
      const pte = memory.read32(table + j * 4);
      if ((pte & (PTE.PRESENT | PTE.USER)) === (PTE.PRESENT | PTE.USER)) memory.write32(table + j * 4, (pte & ~PTE.RW) >>> 0);
    }
  }
}

describe("vmm386 replay --tick-every", () => {
  it("ticks once per N accesses: --json has the working set over time, the summary its line, the report its curve", async () => {
    const report = path.join(tmp, "ticks.html");
    const args = ["replay", TINY, "--user-frames", "16", "--tick-every", "10"];
    const json = await cli(...args, "--json");
    expect(json.code).toBe(0);
    const o = JSON.parse(json.stdout) as { ticks: number; tickEvery: number; workingSet: { accesses: number; ticks: number; pages: number }[] };
    expect(o.ticks).toBe(Math.floor(71389 / 10));
    expect(o.tickEvery).toBe(10);
    // One point per estimate of the kernel (once per 100 ticks; the replay looks more often), none repeated.
    const kernelSamples = Math.floor(o.ticks / 100);
    expect(o.workingSet.length).toBe(kernelSamples);
    // No estimate before the kernel's first 100-tick window ends; then a few pages, within the 16 frames.
    expect(o.workingSet[0].ticks).toBeGreaterThanOrEqual(100);
    expect(o.workingSet.every((p) => p.pages > 0 && p.pages <= 16 && p.ticks === Math.floor(p.accesses / 10))).toBe(true);
    expect(o.workingSet.every((p, i) => i === 0 || p.ticks > o.workingSet[i - 1].ticks)).toBe(true);
    const peak = Math.max(...o.workingSet.map((p) => p.pages));
    const text = await cli(...args, "--report", report);
    const line = new RegExp(`working set: ${o.workingSet.at(-1)?.pages} pages at the end, at most (\\d+) \\(${kernelSamples} samples;`).exec(text.stdout);
    expect(line).not.toBeNull();
    // The peak is the kernel's own, over every estimate: at least the largest one the JSON shows.
    expect(Number(line?.[1])).toBeGreaterThanOrEqual(peak);
    expect(fs.readFileSync(report, "utf8")).toContain("tiny-static.lackey.gz WS");
    // 16 frames thrash by the kernel's measure; with nothing else to run, the replay says so and goes on.
    expect(text.stdout).toMatch(/note: the kernel would have throttled the trace's process on \d+ ticks/);
  });

  it("without it there are no ticks, no working set in the JSON and no working-set line", async () => {
    const json = JSON.parse((await cli("replay", TINY, "--json")).stdout) as Record<string, unknown>;
    expect(json.ticks).toBe(0);
    expect(json).not.toHaveProperty("workingSet");
    expect((await cli("replay", TINY)).stdout).not.toContain("working set");
  });

  it("refuses a count that is not a positive whole number in one line, exit code 2", async () => {
    for (const bad of ["0", "-3", "1.5", "ten"]) {
      const r = await cli("replay", TINY, "--tick-every", bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^vmm386: --tick-every: .+\n$/);
    }
  });
});

describe("vmm386 replay from a pipe", () => {
  const gzipped = fs.readFileSync(TINY);
  const plain = zlib.gunzipSync(gzipped);
  const args = ["--user-frames", "16", "--policy", "opt", "--json"];

  /** The JSON without what names the input or times the run. */
  function outcome(stdout: string): Record<string, unknown> {
    const o = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of ["scenario", "title", "trace", "seconds", "accessesPerSecond"]) delete o[key];
    delete (o.machine as Record<string, unknown>).trace;
    for (const p of o.processes as Record<string, unknown>[]) delete p.name;
    return o;
  }
  let fileOutcome: Promise<Record<string, unknown>> | undefined;
  /** The file's replay, run once for the tests that compare with it (each a fresh copy: they read, never change it). */
  const fromFile = async (): Promise<Record<string, unknown>> => {
    fileOutcome ??= cli("replay", TINY, ...args).then((r) => outcome(r.stdout));
    return structuredClone(await fileOutcome);
  };

  it("`-` reads the trace from standard input, plain or gzip'd: the JSON is the file's", async () => {
    const expected = await fromFile();
    expect(expected.faults).toMatchObject({ swapIn: expect.any(Number) });
    for (const input of [plain, gzipped]) {
      const r = await cliWith(input, "replay", "-", ...args);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(outcome(r.stdout)).toEqual(expected);
      expect((JSON.parse(r.stdout) as { trace: string }).trace).toBe("/dev/stdin");
    }
    // The same through a real process's standard input.
    const spawned = spawnCli(["replay", "-", ...args], { input: gzipped });
    expect(spawned.stderr).toBe("");
    expect(outcome(spawned.stdout)).toEqual(expected);
  });

  it("/dev/stdin and a FIFO are read the same way (--policy-only too)", async () => {
    const expected = await fromFile();
    expect(outcome((await cliWith(gzipped, "replay", "/dev/stdin", ...args)).stdout)).toEqual(expected);
    const fifo = path.join(tmp, "trace.fifo");
    execFileSync("mkfifo", [fifo]);
    const [run] = await Promise.all([spawnCliAsync(["replay", fifo, ...args]).done, fs.promises.writeFile(fifo, plain)]);
    expect(outcome(run.stdout)).toEqual(expected);
    const policyOnly = await cliWith(plain, "replay", "-", "--policy-only", "--user-frames", "16", "--policy", "opt", "--json");
    expect(policyOnly.code).toBe(0);
    expect((JSON.parse(policyOnly.stdout) as { faults: unknown }).faults).toEqual({ total: expect.any(Number) });
  });

  it("a piped stream that is not a trace, or breaks off, is one line naming /dev/stdin, exit code 2", async () => {
    const junk = await cliWith(Buffer.from("hello\n"), "replay", "-");
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/^vmm386: \/dev\/stdin:1: not a trace vmm386 knows .*\n$/);
    const cut = await cliWith(gzipped.subarray(0, 20_000), "replay", "-");
    expect(cut.code).toBe(2);
    expect(cut.stderr).toBe("vmm386: /dev/stdin: cannot read: unexpected end of file\n");
  });

  it("refuses a directory or a missing file by name", async () => {
    expect((await cli("replay", tmp)).stderr).toBe(`vmm386: ${tmp}: is a directory, not a file\n`);
    expect((await cli("replay", path.join(tmp, "none"))).stderr).toBe(`vmm386: ${path.join(tmp, "none")}: no such file\n`);
  });
});

