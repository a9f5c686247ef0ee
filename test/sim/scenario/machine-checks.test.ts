import { describe, expect, it } from "vitest";
import { BootError } from "../../../src/kernel/boot.js";
import { MIN_RAM_BYTES, PhysicalMemory } from "../../../src/machine/physical-memory.js";
import { MIN_BOOT_RAM_BYTES, checkRamBytes } from "../../../src/sim/scenario/machine-checks.js";
import { System } from "../../../src/sim/system.js";

const KIB = 1024;

function boot(ramBytes: number): System {
  return System.create({ ramBytes, swapBytes: 0 });
}

describe("the least RAM", () => {
  it("is exactly the least the EYN-OS kernel boots in (1572K), and what the checks accept", () => {
    expect(MIN_BOOT_RAM_BYTES).toBe(1572 * KIB);
    boot(MIN_BOOT_RAM_BYTES).close();
    expect(() => boot(MIN_BOOT_RAM_BYTES - 4 * KIB)).toThrow(BootError);
    expect(checkRamBytes(MIN_BOOT_RAM_BYTES)).toBeNull();
    expect(checkRamBytes(MIN_BOOT_RAM_BYTES - 4 * KIB)).toMatch(/out of range/);
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
