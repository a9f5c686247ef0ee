/**
 * Swap under injected faults (issue 3, item 6), end to end through the
 * System: failing writes, failing reads and a full swap area lose nothing.
 * A page whose write failed stays resident and the next victim is tried; a
 * failed swap-in kills only the owning process, with a clear report; no
 * frame or slot leaks (the invariant checker runs after every operation).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMemorySwapDisk } from "../../src/machine/disk-image.js";
import { FaultyBlockDevice } from "../../src/machine/faulty-block-device.js";
import { MIB } from "../../src/machine/units.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { System } from "../../src/sim/system.js";

const open: System[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** A machine with 8 resident user pages at most, swapping on a faulty device of `swapBytes`. */
function faultySystem(swapBytes = 2 * MIB): { s: System; disk: FaultyBlockDevice } {
  const disk = new FaultyBlockDevice(createMemorySwapDisk({ sizeBytes: MIB + swapBytes, swapBytes }).device);
  const s = System.create({ ramBytes: 4 * MIB, swapDevice: disk, userFrames: 8, checkInvariants: true });
  open.push(s);
  return { s, disk };
}

function spawnWithHeap(s: System, pages: number): number {
  const pid = s.spawn();
  if (pid === null) throw new Error("spawn failed");
  expect(s.brk(pid, USER_HEAP_BASE + pages * 4096)).toBe(true);
  return pid;
}

const page = (i: number): number => USER_HEAP_BASE + i * 4096;
const word = (pid: number, i: number): number => (pid << 16) | i;

function fill(s: System, pid: number, pages: number): void {
  for (let i = 0; i < pages; i++) expect(s.write32(pid, page(i) + 12, word(pid, i))).toBe(true);
}

function expectIntact(s: System, pid: number, pages: number): void {
  for (let i = 0; i < pages; i++) expect(s.read32(pid, page(i) + 12), `pid ${pid} page ${i}`).toBe(word(pid, i));
}

/** After every process has exited, every frame and slot is free again. */
function expectNoLeaks(s: System, freeAtStart: number): void {
  for (const pid of s.runningPids()) s.exit(pid);
  expect(s.vmm.checkInvariants()).toEqual([]);
  expect(s.vmm.freeFrames).toBe(freeAtStart);
  expect(s.vmm.swap?.usedSlots).toBe(0);
}

describe("swap with injected faults loses nothing", () => {
  it("a page whose swap write failed stays resident and the next victim is tried", () => {
    const { s, disk } = faultySystem();
    const free = s.vmm.freeFrames;
    const pid = spawnWithHeap(s, 32);
    fill(s, pid, 8);
    disk.failNthWrite(1).failNthWrite(3);
    fill(s, pid, 32);
    expect(disk.failedWrites).toBe(2);
    expect(s.stats().vmm386.evict_failed).toBeGreaterThanOrEqual(2);
    expectIntact(s, pid, 32);
    expectNoLeaks(s, free);
  });

  it("a torn write (half the sectors reached the disk) is never trusted", () => {
    const { s, disk } = faultySystem();
    const free = s.vmm.freeFrames;
    const pid = spawnWithHeap(s, 24);
    fill(s, pid, 8);
    disk.failNthWrite(1, { torn: true });
    fill(s, pid, 24);
    expectIntact(s, pid, 24);
    expectNoLeaks(s, free);
  });

  it("while every write fails nothing can be evicted: the faulting process dies, nothing is lost", () => {
    const { s, disk } = faultySystem();
    const free = s.vmm.freeFrames;
    const a = spawnWithHeap(s, 16);
    fill(s, a, 16); // half of a is on swap now
    disk.failAllWrites();
    const b = spawnWithHeap(s, 16);
    let written = 0;
    while (written < 16 && s.write32(b, page(written), 1)) written++;
    expect(s.process(b).status.state).toBe("killed");
    disk.heal();
    expectIntact(s, a, 16);
    expectNoLeaks(s, free);
  });

  it("a failed swap-in kills only the owning process, with a clear report", () => {
    const { s, disk } = faultySystem();
    const free = s.vmm.freeFrames;
    const victim = spawnWithHeap(s, 16);
    fill(s, victim, 16);
    const bystander = spawnWithHeap(s, 16);
    fill(s, bystander, 16);
    disk.failNthRead(1);
    expect(s.read32(victim, page(0) + 12)).toBeNull(); // page 0 went to swap long ago
    const status = s.process(victim).status;
    expect(status.state).toBe("killed");
    if (status.state === "killed") {
      expect(status.report).toMatchObject({ pid: victim, address: page(0) + 12, access: "read", mode: "user" });
      expect(status.report.reason).toMatch(/swap/i);
    }
    expect(s.panic).toBeNull();
    expectIntact(s, bystander, 16);
    expectNoLeaks(s, free);
  });

  it("a failed swap-in of a page shared after fork kills only the process that faulted", () => {
    const { s, disk } = faultySystem();
    const free = s.vmm.freeFrames;
    const parent = spawnWithHeap(s, 16);
    fill(s, parent, 16);
    const child = s.fork(parent) as number;
    disk.failNthRead(1);
    expect(s.read32(child, page(0) + 12)).toBeNull();
    expect(s.process(child).status.state).toBe("killed");
    expectIntact(s, parent, 16);
    expectNoLeaks(s, free);
  });

  it("a full swap area: victims stay resident, the process that needs more dies, the others keep their data", () => {
    const { s } = faultySystem(64 * 1024); // 16 slots
    const free = s.vmm.freeFrames;
    const a = spawnWithHeap(s, 12);
    fill(s, a, 12);
    const b = spawnWithHeap(s, 64);
    let written = 0;
    while (written < 64 && s.write32(b, page(written), 7)) written++;
    expect(written).toBeLessThan(64);
    expect(s.process(b).status.state).toBe("killed");
    expectIntact(s, a, 12);
    expectNoLeaks(s, free);
  });
});
