import { describe, expect, it } from "vitest";
import { cli, type CliRun } from "./cli-helper.js";

/** `vmm386 ...args`. */
function vmm386(...args: string[]): Promise<CliRun> {
  return cli(...args);
}

describe("vmm386 torture", () => {
  it("prints a JSON summary with no loss and exits 0", async () => {
    const r = await vmm386("torture", "--ops", "1000", "--seed", "5", "--ram", "2M", "--swap", "8M", "--policy", "clock", "--cpu", "i386", "--user-frames", "24");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ ops: 1000, mismatches: 0, invariantViolations: 0, leakedFrames: 0, leakedSlots: 0, seed: 5 });
    expect(summary).toHaveProperty("processes");
    expect(summary).toHaveProperty("faults");
  });

  it("on a machine too small for the load, out-of-memory failures are counted, not called losses", async () => {
    const r = await vmm386("torture", "--ops", "600", "--seed", "2", "--ram", "1600K");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { mismatches: number; outOfMemory: number };
    expect(summary.mismatches).toBe(0);
    expect(summary.outOfMemory).toBeGreaterThan(0);
  });

  it("rejects bad options with one line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--ops", "many"], /^vmm386: --ops: "many" is not a whole number\n$/],
      [["--ram", "2Q"], /^vmm386: --ram: /],
      [["--ram", "3K"], /^vmm386: --ram: /],
      [["--policy", "random"], /^vmm386: --policy: unknown policy 'random'/],
      [["--policy", "opt"], /^vmm386: --policy: opt needs to know the future/],
      [["--cpu", "z80"], /^vmm386: --cpu: unknown CPU 'z80'/],
      // The ranges of run (machine-checks.ts): below the least RAM a process runs in.
      [["--ram", "1560K"], /^vmm386: --ram: RAM size 1560K is out of range: 1584K/],
      [["--swap", "5K"], /^vmm386: --swap: swap size 5K is not a multiple of 4K/],
    ];
    for (const [args, message] of cases) {
      const r = await vmm386("torture", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
