import { describe, expect, it } from "vitest";
import { BootError } from "../../../src/kernel/boot.js";
import { MIN_RAM_BYTES, PhysicalMemory } from "../../../src/machine/physical-memory.js";
import { MIN_PROCESS_RAM_BYTES, checkRamBytes } from "../../../src/sim/scenario/machine-checks.js";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { runOn } from "../../helpers/run-scenario.js";
import type { RunResult } from "../../../src/sim/scenario/result.js";
import { ScenarioError } from "../../../src/sim/scenario/types.js";
import { System } from "../../../src/sim/system.js";

const KIB = 1024;

function boot(ramBytes: number): System {
  return System.create({ ramBytes, swapBytes: 0 });
}

/** One process touching one page, on the kernel booted in `ramBytes` (no range check). */
function runOnePage(ramBytes: number): RunResult {
  const scenario = parseScenario("processes:\n  - name: app\n    steps: [{brk: +4K}, {touch: {at: heap, length: 4K, access: write}}, {exit: 0}]\n", "t.yaml");
  return runOn(scenario, { ramBytes, swapBytes: 0, checkInvariants: true });
}

describe("the least RAM", () => {
  it("is the least in which one process can touch one page (1584K): 4K less and the kernel boots but cannot", () => {
    expect(MIN_PROCESS_RAM_BYTES).toBe(1584 * KIB);
    const enough = runOnePage(MIN_PROCESS_RAM_BYTES);
    expect(enough.notes).toEqual([]);
    expect(enough.processes.map((p) => p.summary)).toEqual(["exited(0)"]);
    expect(enough.stats.faults.demandZero).toBe(1);
    const short = runOnePage(MIN_PROCESS_RAM_BYTES - 4 * KIB);
    expect(short.processes.map((p) => p.summary)).toEqual([expect.stringMatching(/out of memory/)]);
    // In 1572K it boots (the boot page tables fit) but cannot even create the process.
    expect(runOnePage(1572 * KIB).notes).toEqual(["app: spawn failed (no memory for an address space)"]);
    expect(() => boot(1568 * KIB)).toThrow(BootError);
  });

  it("the checks accept the least and refuse 4K less, naming the key", () => {
    expect(checkRamBytes(MIN_PROCESS_RAM_BYTES)).toBeNull();
    expect(checkRamBytes(MIN_PROCESS_RAM_BYTES - 4 * KIB)).toBe(
      "RAM size 1580K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G",
    );
    const steps = "processes:\n  - name: app\n    steps: [{brk: +4K}, {touch: {at: heap, length: 4K, access: write}}, {exit: 0}]\n";
    expect(parseScenario(`machine: {ram: 1584K}\n${steps}`, "t.yaml").machine.ramBytes).toBe(MIN_PROCESS_RAM_BYTES);
    expect(() => parseScenario(`machine:\n  ram: 1580K\n${steps}`, "t.yaml")).toThrow(
      new ScenarioError("t.yaml:2: machine.ram", "RAM size 1580K is out of range: 1584K (the least in which the EYN-OS kernel runs a process) to 3G"),
    );
  });

  it("the bare machine still takes 1 MiB: only the kernel needs more", () => {
    expect(MIN_RAM_BYTES).toBe(1024 * KIB);
    expect(new PhysicalMemory(MIN_RAM_BYTES).ramBytes).toBe(MIN_RAM_BYTES);
  });

  it("RAM ending where the kernel image ends: the boot error says so without contradicting itself", () => {
    expect(() => boot(1536 * KIB)).toThrow(
      "detected RAM ends at 0x00180000, leaving nothing above the kernel image (which ends at 0x00180000): too little RAM, or no memory information",
    );
  });
});
