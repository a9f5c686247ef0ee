/** Small Systems for tests: an in-memory swap disk, invariants checked after every kernel operation, closed after each test. */
import { afterEach } from "vitest";
import { createMemorySwapDisk } from "../../src/machine/disk-image.js";
import { MIB } from "../../src/machine/units.js";
import { System, type SystemConfig } from "../../src/sim/system.js";

const open: System[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** A 4 MiB machine with 4 MiB of swap on an in-memory disk; `extra` overrides. */
export function system(extra: Partial<SystemConfig> = {}): System {
  const disk = createMemorySwapDisk({ sizeBytes: 5 * MIB, swapBytes: 4 * MIB });
  const s = System.create({ ramBytes: 4 * MIB, swapDevice: disk.device, checkInvariants: true, ...extra });
  open.push(s);
  return s;
}

/** A new process, or the test fails. */
export function spawn(s: System): number {
  const pid = s.spawn();
  if (pid === null) throw new Error("spawn failed");
  return pid;
}
