import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { machineFromOptions, mergeMachine, parseTlbOption, systemConfig, describeMachine } from "../../src/cli/options.js";
import { UserError } from "../../src/cli/errors.js";
import { POLICY_NAMES } from "../../src/kernel/replacement/index.js";
import { CPU_NAMES } from "../../src/machine/cpu-model.js";
import { SCENARIO_SCHEMA_PATH } from "../../src/sim/scenario/schema.js";

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error("expected a UserError");
}

describe("common options", () => {
  it("parses sizes, presets, policy, TLB, frames and seed", () => {
    expect(
      machineFromOptions({ ram: "4M", swap: "0", cpu: "i386", policy: "lru", tlb: "64", userFrames: "100", seed: "7", strictTlb: true }),
    ).toEqual({ ramBytes: 4 << 20, swapBytes: 0, cpu: "i386", policy: "lru", tlb: { entries: 64, ways: 4 }, userFrames: 100, seed: 7, strictTlb: true });
  });

  it("names the option in every error", () => {
    expect(messageOf(() => machineFromOptions({ ram: "512K" }))).toBe("--ram: RAM size 512K is out of range (1M to 3G)");
    expect(messageOf(() => machineFromOptions({ ram: "4X" }))).toMatch(/^--ram: "4X" is not a size/);
    expect(messageOf(() => machineFromOptions({ ram: "4097K" }))).toMatch(/^--ram: .*not a multiple of 4K/);
    expect(messageOf(() => machineFromOptions({ swap: "5G" }))).toMatch(/^--swap: /);
    expect(messageOf(() => machineFromOptions({ cpu: "z80" }))).toMatch(/^--cpu: unknown CPU 'z80'/);
    expect(messageOf(() => machineFromOptions({ policy: "lfu" }))).toMatch(/^--policy: unknown policy 'lfu'/);
    expect(messageOf(() => machineFromOptions({ userFrames: "-3" }))).toMatch(/^--user-frames: /);
    expect(messageOf(() => machineFromOptions({ seed: "x" }))).toMatch(/^--seed: /);
    expect(messageOf(() => parseTlbOption("12x5"))).toMatch(/^--tlb: .*multiple of ways/);
  });

  it("--tlb takes entries, entries x ways, or off", () => {
    expect(parseTlbOption("off")).toBe("off");
    expect(parseTlbOption("32")).toEqual({ entries: 32, ways: 4 });
    expect(parseTlbOption("16x16")).toEqual({ entries: 16, ways: 16 });
    expect(parseTlbOption("6")).toEqual({ entries: 6, ways: 6 });
  });

  it("options override the scenario's machine and defaults fill the rest", () => {
    const merged = mergeMachine({ ramBytes: 8 << 20, policy: "fifo" }, { policy: "lru" });
    const config = systemConfig(merged);
    expect(config.ramBytes).toBe(8 << 20);
    expect(config.policy).toBe("lru");
    expect(config.swapBytes).toBe(16 << 20);
    expect(describeMachine(config)).toMatchObject({ ram: "8M", swap: "16M", policy: "lru" });
  });

  it("the published schema offers exactly the kernel's policies and CPU presets", () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as {
      definitions: { machine: { properties: { policy: { enum: string[] }; cpu: { enum: string[] } } } };
    };
    expect(schema.definitions.machine.properties.policy.enum).toEqual([...POLICY_NAMES]);
    expect(schema.definitions.machine.properties.cpu.enum).toEqual([...CPU_NAMES]);
  });
});
