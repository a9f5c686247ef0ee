/**
 * Isolation (issue 3, item 9), at the System level: fresh pages are zero
 * whatever their frame or slot held, no process sees another's data after
 * fork, COW, swap or exit, user accesses to kernel space or unmapped areas
 * fault, copy-out to them is refused, and the stack never grows below
 * USER_STACK_BASE.
 */
import { describe, expect, it } from "vitest";
import { spawn, system } from "./system-helpers.js";
import { PF } from "../../src/machine/i386.js";
import {
  KERNEL_BASE,
  USER_CODE_BASE,
  USER_HEAP_BASE,
  USER_SHARED_BASE,
  USER_STACK_BASE,
  USER_STACK_TOP,
} from "../../src/kernel/layout.js";
import type { System } from "../../src/sim/system.js";


const PAGES = 48;
const page = (i: number): number => USER_HEAP_BASE + i * 4096;

/** Fills `PAGES` heap pages of `pid` with 0xA5 (so frames and, under pressure, slots hold it). */
function dirtyHeap(s: System, pid: number): void {
  s.brk(pid, page(PAGES));
  const junk = new Uint8Array(4096).fill(0xa5);
  for (let i = 0; i < PAGES; i++) expect(s.writeBytes(pid, page(i), junk)).toBe(true);
}

function expectZeroHeap(s: System, pid: number): void {
  for (let i = 0; i < PAGES; i++) {
    const bytes = s.readBytes(pid, page(i), 4096);
    expect(bytes?.every((b) => b === 0), `page ${i} is zero`).toBe(true);
  }
}

describe("isolation: fresh pages are zero", () => {
  it("a page a process receives is zero-filled though its frame held another process's data", () => {
    const s = system();
    const a = spawn(s);
    dirtyHeap(s, a);
    s.exit(a);
    const b = spawn(s);
    s.brk(b, page(PAGES));
    expectZeroHeap(s, b);
  });

  it("a page a process receives is zero-filled though its frame and swap slot held another's data", () => {
    const s = system({ userFrames: 8 });
    const a = spawn(s);
    dirtyHeap(s, a);
    expect(s.stats().vmstat.pswpout).toBeGreaterThan(PAGES - 8 - 1);
    s.exit(a);
    const b = spawn(s);
    s.brk(b, page(PAGES));
    // Reading every page twice sends b's fresh pages through the reused slots and back.
    expectZeroHeap(s, b);
    expectZeroHeap(s, b);
    expect(s.stats().vmstat.pswpin).toBeGreaterThan(0);
  });
});

describe("isolation: no process sees another's data", () => {
  it("a forked child's write leaves the parent's page unchanged, and the other way round", () => {
    const s = system();
    const parent = spawn(s);
    s.brk(parent, page(1));
    s.write32(parent, page(0), 0x11111111);
    const child = s.fork(parent) as number;
    expect(s.read32(child, page(0))).toBe(0x11111111);
    s.write32(child, page(0), 0x22222222);
    expect(s.read32(parent, page(0))).toBe(0x11111111);
    s.write32(parent, page(0) + 4, 0x33333333);
    expect(s.read32(child, page(0) + 4)).toBe(0);
    expect(s.stats().faults.cow).toBeGreaterThanOrEqual(2);
  });

  it("fork then swap: each side reads its own data after both were evicted and read back", () => {
    const s = system({ userFrames: 6 });
    const parent = spawn(s);
    s.brk(parent, page(PAGES));
    for (let i = 0; i < PAGES; i++) s.write32(parent, page(i), 0x1000 + i);
    const child = s.fork(parent) as number;
    for (let i = 0; i < PAGES; i += 2) s.write32(child, page(i), 0x2000 + i);
    for (let i = 0; i < PAGES; i++) {
      expect(s.read32(parent, page(i))).toBe(0x1000 + i);
      expect(s.read32(child, page(i))).toBe(i % 2 === 0 ? 0x2000 + i : 0x1000 + i);
    }
  });

  it("copy-out into a forked child's page breaks COW: the parent keeps its data, swapped or not", () => {
    const s = system({ userFrames: 6 });
    const parent = spawn(s);
    s.brk(parent, page(PAGES));
    for (let i = 0; i < PAGES; i++) s.write32(parent, page(i), 0x5000 + i);
    const child = s.fork(parent) as number;
    const data = new Uint8Array(4096).fill(0x77);
    for (let i = 0; i < PAGES; i += 3) expect(s.copyOut(child, page(i), data)).toBe(true);
    for (let i = 0; i < PAGES; i++) {
      expect(s.read32(parent, page(i))).toBe(0x5000 + i);
      expect(s.read32(child, page(i))).toBe(i % 3 === 0 ? 0x77777777 : 0x5000 + i);
    }
  });

  it("after the parent exits, the child still reads the pages they shared, swapped or not", () => {
    const s = system({ userFrames: 6 });
    const parent = spawn(s);
    s.brk(parent, page(PAGES));
    for (let i = 0; i < PAGES; i++) s.write32(parent, page(i), 0x4000 + i);
    const child = s.fork(parent) as number;
    s.exit(parent);
    const other = spawn(s);
    dirtyHeap(s, other);
    for (let i = 0; i < PAGES; i++) expect(s.read32(child, page(i))).toBe(0x4000 + i);
  });
});

describe("isolation: illegal accesses fault and kill only the offender", () => {
  const cases: [string, number][] = [
    ["kernel space (KERNEL_BASE)", KERNEL_BASE],
    ["the kernel's recursive page-table window", 0xfffff000],
    ["the null page", 0],
    ["the unmapped code region", USER_CODE_BASE],
    ["the heap past the break", USER_HEAP_BASE + 4096],
    ["an unmapped page of the shared region", USER_SHARED_BASE],
  ];
  for (const [what, va] of cases) {
    it(`a user read of ${what} kills the process with a report; others go on`, () => {
      const s = system();
      const bystander = spawn(s);
      s.write8(bystander, USER_STACK_TOP - 1, 42);
      const pid = spawn(s);
      expect(s.read8(pid, va)).toBeNull();
      const status = s.process(pid).status;
      expect(status.state).toBe("killed");
      if (status.state === "killed") {
        expect(status.report).toMatchObject({ pid, address: va, access: "read", mode: "user" });
        expect(status.report.errorCode & PF.USER).toBe(PF.USER);
        expect(status.report.reason).not.toBe("");
      }
      expect(s.panic).toBeNull();
      expect(s.read8(bystander, USER_STACK_TOP - 1)).toBe(42);
    });
  }

  it("copy-out to kernel or unmapped addresses is refused and the process lives on", () => {
    const s = system();
    const pid = spawn(s);
    const data = new Uint8Array(16).fill(0xee);
    expect(s.copyOut(pid, KERNEL_BASE, data)).toBe(false);
    expect(s.copyOut(pid, USER_STACK_TOP - 8, data)).toBe(false);
    expect(s.copyOut(pid, 0, data)).toBe(false);
    expect(s.copyOut(pid, USER_CODE_BASE, data)).toBe(false);
    expect(s.copyOut(pid, USER_SHARED_BASE, data)).toBe(false);
    expect(s.copyOut(pid, USER_HEAP_BASE, data)).toBe(false);
    expect(s.copyIn(pid, KERNEL_BASE, 16)).toBeNull();
    expect(s.process(pid).status.state).toBe("running");
    // Nothing reached kernel memory: the kernel alias of physical page 0 is untouched by us.
    expect(s.vmm.checkInvariants()).toEqual([]);
  });

  it("stack growth never maps below 0xB0000000", () => {
    const s = system();
    const pid = spawn(s);
    expect(s.write8(pid, USER_STACK_BASE, 1)).toBe(true);
    expect(s.copyOut(pid, USER_STACK_BASE - 4, new Uint8Array(8))).toBe(false);
    expect(s.process(pid).status.state).toBe("running");
    const space = s.vmm.current;
    expect(s.vmm.isPagePresent(space, USER_STACK_BASE - 4096)).toBe(false);
    expect(s.write32(pid, USER_STACK_BASE - 2, 0)).toBe(false);
    expect(s.process(pid).status.state).toBe("killed");
    const other = spawn(s);
    expect(s.read8(other, USER_STACK_BASE - 1)).toBeNull();
  });
});
