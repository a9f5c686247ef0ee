/**
 * The System as the kernel's clients see it: processes, real data through
 * the MMU, fork/exit, brk/mmap/munmap, copy-in/out, ticks and counters, and
 * the rule that nothing escapes to the host.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { spawn, system } from "./system-helpers.js";
import { ACCESS } from "../../src/machine/i386.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import { PARTITION_TYPE, buildPartitionTable, writePartitionTable } from "../../src/machine/mbr.js";
import { MIB } from "../../src/machine/units.js";
import { USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../../src/kernel/layout.js";
import { PROT, System } from "../../src/sim/system.js";
import { SystemUsageError } from "../../src/sim/system-checks.js";


describe("System: real data through the MMU", () => {
  it("bytes and words written by a process read back, also across a page boundary", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.brk(pid, USER_HEAP_BASE + 3 * 4096)).toBe(true);
    expect(s.write8(pid, USER_HEAP_BASE + 5, 0xab)).toBe(true);
    expect(s.read8(pid, USER_HEAP_BASE + 5)).toBe(0xab);
    expect(s.write32(pid, USER_HEAP_BASE + 4094, 0xdeadbeef)).toBe(true);
    expect(s.read32(pid, USER_HEAP_BASE + 4094)).toBe(0xdeadbeef);
    expect(s.read8(pid, USER_HEAP_BASE + 4096)).toBe(0xad);
    const bytes = Uint8Array.from({ length: 6000 }, (_, i) => i & 0xff);
    expect(s.writeBytes(pid, USER_HEAP_BASE + 100, bytes)).toBe(true);
    expect(s.readBytes(pid, USER_HEAP_BASE + 100, 6000)).toEqual(bytes);
  });

  it("the stack grows on demand and data survives heavy swapping", () => {
    const s = system({ userFrames: 8 });
    const pid = spawn(s);
    for (let i = 0; i < 64; i++) expect(s.write32(pid, USER_STACK_TOP - (i + 1) * 4096 + 8, 0x1000 + i)).toBe(true);
    for (let i = 0; i < 64; i++) expect(s.read32(pid, USER_STACK_TOP - (i + 1) * 4096 + 8)).toBe(0x1000 + i);
    const st = s.stats();
    expect(st.vmstat.pswpout).toBeGreaterThan(0);
    expect(st.vmstat.pswpin).toBeGreaterThan(0);
    expect(st.faults.swapIn).toBeGreaterThan(0);
    expect(s.vmm.checkInvariants()).toEqual([]);
  });

  it("a data-less access faults pages in and counts references, two for a straddle", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.access(pid, USER_STACK_TOP - 4096 - 2, 4, ACCESS.USER_WRITE)).toBe(true);
    const st = s.stats();
    expect(st.accesses).toBe(1);
    expect(st.references).toBe(2);
    expect(st.faults.total).toBeGreaterThanOrEqual(1);
  });

  it("accessPage is one page reference, counted and faulted as access would; a write to read-only memory kills", () => {
    const viaAccess = system();
    const viaPage = system();
    const pids = [spawn(viaAccess), spawn(viaPage)];
    viaAccess.mmap(pids[0], USER_SHARED_BASE, 4096, PROT.READ);
    viaPage.mmap(pids[1], USER_SHARED_BASE, 4096, PROT.READ);
    const steps: [number, number][] = [
      [USER_STACK_TOP - 8, ACCESS.USER_WRITE],
      [USER_STACK_TOP - 4096 - 8, ACCESS.USER_READ],
      [USER_STACK_TOP - 8, ACCESS.USER_READ],
      [USER_SHARED_BASE, ACCESS.USER_READ],
      [USER_SHARED_BASE + 4, ACCESS.USER_WRITE],
    ];
    const results = steps.map(([va, kind]) => [viaAccess.access(pids[0], va, 4, kind), viaPage.accessPage(pids[1], va, kind)]);
    expect(results.map(([a, b]) => a === b)).toEqual([true, true, true, true, true]);
    expect(results[4]).toEqual([false, false]);
    expect(viaPage.stats()).toEqual(viaAccess.stats());
    expect(pids[1]).toBe(pids[0]);
    expect(viaPage.process(pids[1]).status).toEqual(viaAccess.process(pids[0]).status);
    expect(viaPage.process(pids[1]).status.state).toBe("killed");
    expect(viaPage.accessPage(pids[1], USER_STACK_TOP - 8, ACCESS.USER_READ)).toBe(false);
  });

  it("a data-less access longer than a page touches every page it covers", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.access(pid, USER_STACK_TOP - 3 * 4096 + 100, 2 * 4096, ACCESS.USER_READ)).toBe(true);
    expect(s.stats().references).toBe(3);
  });

  it("brk shrink drops the pages above the break; growing again gives zero pages", () => {
    const s = system();
    const pid = spawn(s);
    s.brk(pid, USER_HEAP_BASE + 2 * 4096);
    s.write8(pid, USER_HEAP_BASE + 4096, 7);
    expect(s.brk(pid, USER_HEAP_BASE + 4096)).toBe(true);
    expect(s.brk(pid, USER_HEAP_BASE + 2 * 4096)).toBe(true);
    expect(s.read8(pid, USER_HEAP_BASE + 4096)).toBe(0);
  });

  it("mmap gives zero pages, refuses overlaps, and munmap makes them fault", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.mmap(pid, USER_SHARED_BASE, 4 * 4096, PROT.READ | PROT.WRITE)).toBe(true);
    expect(s.mmap(pid, USER_SHARED_BASE + 4096, 4096)).toBe(false);
    expect(s.read32(pid, USER_SHARED_BASE + 3 * 4096)).toBe(0);
    expect(s.write8(pid, USER_SHARED_BASE, 1)).toBe(true);
    expect(s.munmap(pid, USER_SHARED_BASE, 4 * 4096)).toBe(true);
    expect(s.read8(pid, USER_SHARED_BASE)).toBeNull();
    expect(s.process(pid).status.state).toBe("killed");
  });

  it("a write to a read-only mapping kills the process with a protection fault", () => {
    const s = system();
    const pid = spawn(s);
    s.mmap(pid, USER_SHARED_BASE, 4096, PROT.READ);
    expect(s.read8(pid, USER_SHARED_BASE)).toBe(0);
    expect(s.write8(pid, USER_SHARED_BASE, 1)).toBe(false);
    const status = s.process(pid).status;
    expect(status.state).toBe("killed");
    if (status.state === "killed") {
      expect(status.report).toMatchObject({ pid, address: USER_SHARED_BASE, access: "write", mode: "user" });
      expect(status.report.errorCode & 7).toBe(7);
    }
  });

  it("copyOut pre-faults and writes user pages; copyIn reads them back", () => {
    const s = system();
    const pid = spawn(s);
    const bytes = Uint8Array.from({ length: 3 * 4096 - 17 }, (_, i) => (i * 7) & 0xff);
    const va = USER_STACK_TOP - 3 * 4096 + 17;
    expect(s.copyOut(pid, va, bytes.subarray(0, 3 * 4096 - 17))).toBe(true);
    expect(s.copyIn(pid, va, 3 * 4096 - 17)).toEqual(bytes.subarray(0, 3 * 4096 - 17));
    expect(s.readBytes(pid, va, 100)).toEqual(bytes.subarray(0, 100));
  });

  it("a process runs on its own page directory: switchTo loads it into CR3", () => {
    const s = system();
    const a = spawn(s);
    const b = spawn(s);
    expect(s.switchTo(b)).toBe(true);
    expect(s.machine.mmu.cr3 >>> 0).toBe(s.process(b).pdPhys);
    expect(s.switchTo(a)).toBe(true);
    expect(s.machine.mmu.cr3 >>> 0).toBe(s.process(a).pdPhys);
    expect(s.process(a).pdPhys).not.toBe(s.process(b).pdPhys);
    expect(s.runningPids()).toEqual([a, b]);
  });

  it("ticks sample the working set and exits return every frame", () => {
    const s = system();
    const free = s.vmm.freeFrames;
    const pid = spawn(s);
    for (let i = 0; i < 10; i++) s.write8(pid, USER_STACK_TOP - (i + 1) * 4096, i);
    s.tick(5);
    expect(s.stats().ticks).toBe(5);
    s.exit(pid, 3);
    expect(s.process(pid).status).toEqual({ state: "exited", code: 3 });
    expect(s.vmm.freeFrames).toBe(free);
    expect(s.read8(pid, USER_STACK_TOP - 4096)).toBeNull();
  });

  it("a process faulting more than 50 times in a 100-tick window is throttled; a quiet one is not", () => {
    const s = system({ userFrames: 8 });
    const busy = spawn(s);
    const quiet = spawn(s);
    s.write8(quiet, USER_STACK_TOP - 1, 1);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 32; i++) s.write8(busy, USER_STACK_TOP - (i + 1) * 4096, i);
    }
    s.tick();
    expect(s.process(busy).throttledTicks).toBe(1);
    expect(s.process(quiet).throttledTicks).toBe(0);
    s.tick(200); // throttled for the rest of the window, then its faults expire with it
    const throttled = s.process(busy).throttledTicks;
    expect(throttled).toBeLessThanOrEqual(100);
    s.tick(10);
    expect(s.process(busy).throttledTicks).toBe(throttled);
  });

  it("working-set sampling at each window counts the pages referenced since the last one", () => {
    const s = system();
    const pid = spawn(s);
    for (let i = 0; i < 10; i++) s.write8(pid, USER_STACK_TOP - (i + 1) * 4096, i);
    s.tick(100);
    expect(s.process(pid).wsPages).toBe(10);
    for (let i = 0; i < 3; i++) s.read8(pid, USER_STACK_TOP - (i + 1) * 4096);
    s.tick(100);
    expect(s.process(pid).wsPages).toBe(3);
    // The kernel keeps its own peak and count, for whoever looks less often than it samples.
    expect(s.process(pid)).toMatchObject({ wsPeak: 10, wsSamples: 2 });
  });

  it("stats use Linux's vmstat names and count faults by kind", () => {
    const s = system();
    const pid = spawn(s);
    s.brk(pid, USER_HEAP_BASE + 4096);
    s.write8(pid, USER_HEAP_BASE, 1);
    const child = s.fork(pid) as number;
    s.write8(child, USER_HEAP_BASE, 2);
    const st = s.stats();
    expect(st.vmstat).toHaveProperty("pgfault");
    expect(st.vmstat).toHaveProperty("pswpin");
    expect(st.faults.cow).toBe(1);
    expect(st.faults.total).toBe(st.faults.demandZero + st.faults.swapIn + st.faults.cow + st.faults.stack + st.faults.heap + st.faults.segv);
    expect(st.tlb).toHaveProperty("hits");
  });

  it("the TLB stats say whether the machine has a TLB, with the MMU's counters under their names", () => {
    const on = system().stats().tlb;
    expect(Object.keys(on)).toEqual(["enabled", "translations", "hits", "misses", "walks", "invlpgs", "flushes", "globalKept"]);
    expect(on.enabled).toBe(true);
    expect(system({ tlb: "off" }).stats().tlb.enabled).toBe(false);
  });
});

describe("System: processes and the pid limit", () => {
  it("at most pidMax - 1 processes live at once: a fork past that fails with EAGAIN and is counted, as Linux's at pid_max", () => {
    const s = system({ pidMax: 4 });
    const parent = spawn(s);
    expect([s.fork(parent), s.fork(parent)]).toEqual([2, 3]);
    expect(s.forkError).toBeNull();
    expect(s.fork(parent)).toBeNull();
    expect(s.forkError).toBe("EAGAIN");
    expect(s.spawn()).toBeNull();
    expect(s.stats().tasks).toEqual({ created: 3, running: 3, peak: 3, pidMax: 4, forkFailed: 1, forkFailedAtPidLimit: 1 });
    s.exit(2);
    expect(s.fork(parent)).toBe(4); // the limit counts live processes; pids are never reused
    expect(s.fork(99)).toBeNull();
    expect(s.forkError).toBe("ESRCH"); // no such parent: a caller's slip, not a failed fork
    expect(s.stats().tasks).toEqual({ created: 4, running: 3, peak: 3, pidMax: 4, forkFailed: 1, forkFailedAtPidLimit: 1 });
  });

  it("a fork the kernel has no memory for fails with ENOMEM, counted apart from the pid limit", () => {
    const s = system({ ramBytes: 1622016, swapBytes: 0, swapDevice: undefined });
    const parent = spawn(s);
    let child: number | null = parent;
    while (child !== null) child = s.fork(parent);
    expect(s.forkError).toBe("ENOMEM");
    const tasks = s.stats().tasks;
    expect([tasks.forkFailed, tasks.forkFailedAtPidLimit, tasks.pidMax]).toEqual([1, 0, 32768]);
  });

  it("each process's resident and swapped pages are the kernel's counters, 0 once it ended", () => {
    const s = system({ userFrames: 4 });
    const pid = spawn(s);
    for (let i = 0; i < 10; i++) expect(s.write32(pid, USER_STACK_TOP - (i + 1) * 4096, i)).toBe(true);
    expect(s.process(pid)).toMatchObject({ resident: 4, swapped: 6 });
    const child = s.fork(pid)!;
    expect(s.process(child)).toMatchObject({ resident: 4, swapped: 6 });
    s.exit(pid);
    expect(s.process(pid)).toMatchObject({ resident: 0, swapped: 0 });
  });
});

describe("System: nothing escapes to the host", () => {
  it("a supervisor fault is a kernel panic with a report; the System then refuses work", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.access(pid, 0x10, 4, ACCESS.READ)).toBe(false);
    expect(s.panic).toMatchObject({ pid, address: 0x10, mode: "supervisor", access: "read" });
    expect(s.read8(pid, USER_STACK_TOP - 4)).toBeNull();
    expect(s.access(pid, USER_STACK_TOP - 4, 4, ACCESS.USER_READ)).toBe(false);
    expect(s.spawn()).toBeNull();
  });

  it("calls on ended or unknown processes return false/null", () => {
    const s = system();
    const pid = spawn(s);
    s.exit(pid);
    expect(s.write8(pid, USER_STACK_TOP - 4, 1)).toBe(false);
    expect(s.fork(pid)).toBeNull();
    expect(s.brk(pid, USER_HEAP_BASE + 4096)).toBe(false);
    expect(s.access(999, USER_STACK_TOP - 4, 1, ACCESS.USER_READ)).toBe(false);
    expect(() => s.process(999)).toThrow(SystemUsageError);
  });

  it("a swap disk without a swap partition is refused with the device's name", () => {
    const blank = new MemoryBlockDevice(4096, "blank.img");
    expect(() => System.create({ ramBytes: 2 * MIB, swapDevice: blank })).toThrow(/^blank\.img: /);
    const linux = new MemoryBlockDevice(4096, "linux.img");
    writePartitionTable(linux, buildPartitionTable(1, [{ type: PARTITION_TYPE.LINUX, firstLba: 2048, sectorCount: 2048 }], 4096, "linux.img"));
    expect(() => System.create({ ramBytes: 2 * MIB, swapDevice: linux })).toThrow(/^linux\.img: no swap partition/);
  });

  it("with no swap disk given, it swaps on a temporary image that leaves no file behind, even while it runs", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-test-tmpdir-"));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // os.tmpdir() reads it at each call: the image is made in a folder of this test's own
    try {
      const s = System.create({ ramBytes: 2 * MIB, swapBytes: MIB, userFrames: 4 });
      expect(s.swapsOnTemporaryImage).toBe(true);
      expect(s.swapPath).toBeNull();
      expect(fs.readdirSync(tmp)).toEqual([]);
      const pid = spawn(s);
      for (let page = 0; page < 8; page++) expect(s.write8(pid, USER_STACK_TOP - 1 - page * 4096, page)).toBe(true);
      for (let page = 0; page < 8; page++) expect(s.read8(pid, USER_STACK_TOP - 1 - page * 4096)).toBe(page);
      expect(s.stats().vmstat.pswpout).toBeGreaterThan(0);
      s.close();
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("System: close", () => {
  /** A workload that fills, hits, evicts and invalidates TLB entries, forks and swaps; its stats. */
  function workload(s: System) {
    const pid = spawn(s);
    expect(s.brk(pid, USER_HEAP_BASE + 40 * 4096)).toBe(true);
    for (let i = 0; i < 4000; i++) s.access(pid, USER_HEAP_BASE + ((i * 7919) % 40) * 4096, 4, i % 3 === 0 ? ACCESS.USER_WRITE : ACCESS.USER_READ);
    const child = s.fork(pid);
    expect(child).not.toBeNull();
    for (let i = 0; i < 2000; i++) s.access(i & 1 ? pid : (child as number), USER_HEAP_BASE + ((i * 31) % 40) * 4096, 4, ACCESS.USER_WRITE);
    return s.stats();
  }

  it("hands the TLB's array to the next System, which runs a workload exactly as the closed one did", () => {
    const config = { ramBytes: 2 * MIB, swapBytes: MIB, userFrames: 16 };
    const first = System.create(config);
    const stats = workload(first);
    expect(stats.vmstat.pswpout).toBeGreaterThan(0);
    const array = first.machine.mmu.tlb.state;
    first.close();
    expect(first.machine.mmu.tlb.state === array).toBe(false);
    expect(() => first.stats()).toThrow(SystemUsageError);
    const next = System.create(config);
    expect(next.machine.mmu.tlb.state === array).toBe(true);
    expect(workload(next)).toEqual(stats);
    next.close();
  });
});
