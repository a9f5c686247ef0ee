import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { settingsFromOptions, parseTlbOption } from "../../src/cli/options.js";
import { messageOf } from "./cli-helper.js";
import { POLICY_NAMES } from "../../src/kernel/replacement/index.js";
import { CPU_NAMES } from "../../src/machine/cpu-model.js";
import { SCENARIO_SCHEMA_PATH } from "../../src/sim/scenario/schema.js";
import { MIN_PROCESS_RAM_BYTES } from "../../src/sim/scenario/machine-checks.js";

describe("common options", () => {
  it("parses sizes, presets, policy, TLB, frames and seed", () => {
    expect(
      settingsFromOptions({ ram: "4M", swap: "0", cpu: "i386", policy: "lru", tlb: "64", userFrames: "100", seed: "7", strictTlb: true }),
    ).toEqual({ ramBytes: 4 << 20, swapBytes: 0, cpu: "i386", policy: "lru", tlb: { entries: 64, ways: 4 }, userFrames: 100, seed: 7, strictTlb: true });
  });

  it("names the option in every error", () => {
    expect(messageOf(() => settingsFromOptions({ ram: "512K" }))).toBe("--ram: RAM size 512K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G");
    expect(messageOf(() => settingsFromOptions({ ram: "4X" }))).toMatch(/^--ram: "4X" is not a size/);
    expect(messageOf(() => settingsFromOptions({ ram: "4097K" }))).toMatch(/^--ram: .*not a multiple of 4K/);
    expect(messageOf(() => settingsFromOptions({ swap: "5G" }))).toMatch(/^--swap: /);
    expect(messageOf(() => settingsFromOptions({ cpu: "z80" }))).toMatch(/^--cpu: unknown CPU 'z80'/);
    expect(messageOf(() => settingsFromOptions({ policy: "lfu-da" }))).toMatch(/^--policy: unknown policy 'lfu-da'/);
    expect(messageOf(() => settingsFromOptions({ policy: "2q:kin=2" }))).toBe("--policy: 2q: kin=2 is out of range (0 to 1)");
    expect(messageOf(() => settingsFromOptions({ userFrames: "-3" }))).toMatch(/^--user-frames: /);
    // What a seed must be, whether the text is no number or a number out of range.
    expect(messageOf(() => settingsFromOptions({ seed: "x" }))).toBe("--seed: 'x' is not a whole number (0 to 4294967295)");
    expect(messageOf(() => settingsFromOptions({ seed: "-1" }))).toBe("--seed: -1 is out of range (0 to 4294967295)");
    expect(messageOf(() => settingsFromOptions({ seed: "4294967296" }))).toBe("--seed: 4294967296 is out of range (0 to 4294967295)");
    expect(messageOf(() => parseTlbOption("12x5"))).toMatch(/^--tlb: 5 ways is not a power of two/);
  });

  it("--tlb: shapes the MMU cannot build are refused in the user's terms", () => {
    expect(messageOf(() => parseTlbOption("6"))).toBe(
      "--tlb: 6 entries cannot be split into 4 ways (entries must be a multiple of 4, or 1, 2 for a fully associative TLB)",
    );
    expect(messageOf(() => parseTlbOption("33"))).toMatch(/^--tlb: 33 entries cannot be split into 4 ways/);
    expect(messageOf(() => parseTlbOption("24x6"))).toMatch(/^--tlb: 6 ways is not a power of two/);
    expect(messageOf(() => parseTlbOption("12x8"))).toBe("--tlb: 12 entries cannot be split into 8 ways (entries must be a multiple of the ways)");
    expect(messageOf(() => parseTlbOption("70000"))).toMatch(/^--tlb: TLB entries 70000 out of range/);
  });

  it("--ram: the least RAM the kernel runs a process in is the least accepted", () => {
    expect(settingsFromOptions({ ram: "1584K" }).ramBytes).toBe(MIN_PROCESS_RAM_BYTES);
    expect(messageOf(() => settingsFromOptions({ ram: "1580K" }))).toMatch(/^--ram: RAM size 1580K is out of range: 1584K /);
    expect(messageOf(() => settingsFromOptions({ ram: "1M" }))).toMatch(/^--ram: RAM size 1M is out of range/);
  });

  it("--swap and --swap-image together are refused (the image's partition is the swap)", () => {
    expect(messageOf(() => settingsFromOptions({ swap: "4M", swapImage: "disk.img" }))).toMatch(/^--swap: give --swap .* or --swap-image .*, not both$/);
  });

  it("--tlb takes entries, entries x ways, or off", () => {
    expect(parseTlbOption("off")).toBe("off");
    expect(parseTlbOption("32")).toEqual({ entries: 32, ways: 4 });
    expect(parseTlbOption("16x16")).toEqual({ entries: 16, ways: 16 });
    expect(parseTlbOption("2")).toEqual({ entries: 2, ways: 2 });
    expect(parseTlbOption("1")).toEqual({ entries: 1, ways: 1 });
  });

  it("the published schema offers exactly the kernel's policies and CPU presets", () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as {
      definitions: { machine: { properties: { policy: { anyOf: { enum?: string[] }[] }; cpu: { enum: string[] } } } };
    };
    expect(schema.definitions.machine.properties.policy.anyOf[0].enum).toEqual([...POLICY_NAMES]);
    expect(schema.definitions.machine.properties.cpu.enum).toEqual([...CPU_NAMES]);
  });

  it("the published schema's least RAM is the least the kernel runs a process in", () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as {
      definitions: { machine: { properties: { ram: { anyOf: { minimum?: number }[] } } } };
    };
    expect(schema.definitions.machine.properties.ram.anyOf[0].minimum).toBe(MIN_PROCESS_RAM_BYTES);
  });
});
