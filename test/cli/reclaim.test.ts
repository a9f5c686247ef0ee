/**
 * The command line of modern reclaim: bad latency, threshold and policy
 * parameters are one line naming the option (exit 2); sweep runs linux and
 * mglru (with a parameter) like the others; inspect shows MGLRU's
 * generations and the pressure; --json carries vmstat's working-set
 * counters, psi and each process's stalled ticks.
 */
import { describe, expect, it } from "vitest";
import { cli } from "./cli-helper.js";

const TRACE = "test/fixtures/traces/tiny-static.lackey.gz";

/** One line on stderr naming `mentions`, exit code 2, nothing on stdout. */
async function expectRefused(args: string[], ...mentions: string[]): Promise<void> {
  const r = await cli(...args);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

describe("bad reclaim options", () => {
  it("names a swap latency that is not a number of ticks, or too long", async () => {
    await expectRefused(["run", "examples/scan.yaml", "--swap-read-ticks", "fast"], "--swap-read-ticks", "'fast'");
    await expectRefused(["run", "examples/scan.yaml", "--swap-write-ticks", "4000"], "--swap-write-ticks", "3600");
  });

  it("names a throttle rule or threshold it cannot use", async () => {
    await expectRefused(["run", "examples/thrashing.yaml", "--throttle", "psi:some_avg10=150"], "--throttle", "percentage");
    await expectRefused(["run", "examples/thrashing.yaml", "--throttle", "oomd"], "--throttle", "seed, psi");
  });

  it("names a policy parameter that does not apply, or is out of range", async () => {
    await expectRefused(["run", "examples/scan.yaml", "--policy", "clock:min_ttl=5"], "--policy", "policy clock has no parameter 'min_ttl'");
    await expectRefused(["run", "examples/scan.yaml", "--policy", "mglru:ttl=5"], "--policy", "policy mglru has no parameter 'ttl'");
    await expectRefused(["run", "examples/scan.yaml", "--policy", "mglru:min_ttl=-1"], "--policy", "min_ttl=-1 is out of range");
    await expectRefused(["sweep", "examples/scan.yaml", "--policies", "lru,mglru:min_ttl=x"], "--policies", "min_ttl='x' is not a number");
    await expectRefused(["replay", TRACE, "--policy-only", "--user-frames", "8", "--policy", "mglru:min_ttl=5"], "--policy", "no ticks");
  });

  it("names what is measured in ticks on a trace replayed without them (mglru's min_ttl, the psi throttle), not a silent OOM kill or no effect", async () => {
    await expectRefused(["replay", TRACE, "--user-frames", "8", "--policy", "mglru:min_ttl=5"], "--policy: mglru's min_ttl is in timer ticks", "--tick-every");
    await expectRefused(["replay", TRACE, "--user-frames", "8", "--throttle", "psi"], "--throttle: the psi throttle", "--tick-every");
    await expectRefused(["sweep", TRACE, "--policies", "lru,mglru:min_ttl=5", "--frames", "4,8"], "--policies: mglru's min_ttl is in timer ticks");
    await expectRefused(["sweep", TRACE, "--throttle", "psi:some_avg10=30", "--frames", "4,8"], "--throttle: the psi throttle");
    // With ticks, or with min_ttl 0 (nothing measured in ticks), the replay runs.
    expect((await cli("replay", TRACE, "--user-frames", "8", "--policy", "mglru:min_ttl=5", "--throttle", "psi", "--tick-every", "1")).code).toBe(0);
    expect((await cli("replay", TRACE, "--user-frames", "8", "--policy", "mglru:min_ttl=0")).code).toBe(0);
  });
});

describe("reclaim on the command line", () => {
  it("sweep runs linux and mglru with a parameter, one curve each", async () => {
    const r = await cli("sweep", TRACE, "--policies", "linux,mglru:min_ttl=0", "--frames", "4,8", "--workers", "1", "--json");
    expect(r.code).toBe(0);
    const sweep = JSON.parse(r.stdout) as { policies: string[]; points: { policy: string; faults: number }[] };
    expect(sweep.policies).toEqual(["linux", "mglru:min_ttl=0"]);
    expect(sweep.points.map((p) => p.policy)).toEqual(["linux", "linux", "mglru:min_ttl=0", "mglru:min_ttl=0"]);
    expect(sweep.points.every((p) => p.faults > 0)).toBe(true);
  });

  it("inspect shows MGLRU's generations and the memory pressure, in text and JSON", async () => {
    const text = await cli("inspect", "examples/scan.yaml", "--policy", "mglru", "--step", "12", "--show", "lists,pressure");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/lru_gen \(mglru\): min_seq \d+, max_seq \d+, tier index 3/);
    expect(text.stdout).toContain("app(1)");
    expect(text.stdout).toContain("/proc/pressure/memory");
    const json = JSON.parse((await cli("inspect", "examples/scan.yaml", "--policy", "mglru", "--step", "12", "--show", "lists", "--json")).stdout) as {
      lists: { policy: string; lists: { seq: number; pages: number; byProcess: Record<string, number> }[]; mglru: { minSeq: number; maxSeq: number } };
    };
    expect(json.lists.policy).toBe("mglru");
    expect(json.lists.lists.map((l) => l.seq)).toEqual(Array.from({ length: json.lists.mglru.maxSeq - json.lists.mglru.minSeq + 1 }, (_, i) => json.lists.mglru.minSeq + i));
    expect(json.lists.lists.reduce((n, l) => n + l.pages, 0)).toBeGreaterThan(0);
  });

  it("run --json carries the working-set counters, /proc/pressure/memory and each process's stalled ticks", async () => {
    const r = JSON.parse((await cli("run", "examples/loop-thrash.yaml", "--policy", "linux", "--json")).stdout) as {
      vmstat: Record<string, number>;
      psi: { some: { avg10: number; total: number }; full: { total: number } };
      processes: { stalledTicks: number }[];
      machine: { policy: string };
    };
    expect(r.vmstat).toMatchObject({ workingset_refault_anon: 2088, workingset_activate_anon: 0 });
    expect(r.psi.some.total).toBeGreaterThan(0);
    expect(r.psi.full.total).toBe(r.psi.some.total); // one process: every stall is full
    expect(r.processes[0].stalledTicks).toBeCloseTo((r.vmstat.pswpin + r.vmstat.pswpout) * 0.012, 9);
    expect(r.machine.policy).toBe("linux");
  });
});
