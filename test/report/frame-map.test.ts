/**
 * The frame map tells every kind of frame apart: free, reserved, multiboot
 * payloads, the kernel image, boot paging structures, kernel heap, page
 * directories and tables, each process's own pages, pages shared read-only
 * or copy-on-write, and swap-cache pages; and its legend counts them.
 */

import { describe, expect, it } from "vitest";
import { PTE } from "../../src/machine/i386.js";
import { KERNEL_BASE, USER_HEAP_BASE, USER_SHARED_BASE } from "../../src/kernel/layout.js";
import { PROT, type AddressSpace } from "../../src/kernel/vmm.js";
import { type FrameMap, formatFrameMap, frameMap } from "../../src/report/frame-map.js";
import { type TestSystem, bootTestSystem, read32, write32 } from "../kernel/helpers.js";

const HEAP = USER_HEAP_BASE;

function frameOf(sys: TestSystem, space: AddressSpace, va: number): number {
  const pa = sys.vmm.virtToPhys(space, va);
  expect(pa).toBeGreaterThanOrEqual(0);
  return pa >>> 12;
}

/** Each symbol's legend count is how often the map shows it. */
function expectLegendCountsMatch(f: FrameMap): void {
  const seen = new Map<string, number>();
  for (const c of f.map) seen.set(c, (seen.get(c) ?? 0) + 1);
  expect(new Map(f.legend.map((e) => [e.symbol, e.frames]))).toEqual(seen);
}

describe("frame map", () => {
  it("gives the kernel's frames, each process's paging structures and pages, and shared pages their own symbols", () => {
    const sys = bootTestSystem();
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.brk(parent, HEAP + 3 * 4096)).toBe(true);
    write32(sys, HEAP, 1); // shared copy-on-write after the fork
    expect(sys.vmm.mmap(parent, USER_SHARED_BASE, 4096, PROT.READ)).toBe(true);
    expect(read32(sys, USER_SHARED_BASE)).toBe(0); // shared read-only after the fork
    const child = sys.vmm.cloneAddressSpace(parent)!;
    write32(sys, HEAP + 4096, 2); // the parent's own page
    sys.vmm.switchAddressSpace(child);
    write32(sys, HEAP + 8192, 3); // the child's own page
    const heapPage = sys.vmm.kmallocPage();
    expect(heapPage).not.toBe(0);

    const f = frameMap(sys, [
      { pid: 1, name: "parent", pageDirectory: parent.pdPhys },
      { pid: 2, name: "child", pageDirectory: child.pdPhys },
      { pid: 3, name: "exited", pageDirectory: null },
    ]);
    const at = (pfn: number): string => f.map[pfn];
    expect(f.map).toHaveLength(sys.vmm.totalFrames);
    expect(at(0)).toBe("#");
    expect(at(sys.machine.bootInfoAddress >>> 12)).toBe("M");
    const image = sys.machine.kernelImage;
    expect(f.map.slice(image.textStart >>> 12, image.end >>> 12)).toBe("K".repeat((image.end - image.textStart) >>> 12));
    expect(at(sys.vmm.boot.kernelPdPhys >>> 12)).toBe("P");
    expect(at((heapPage - KERNEL_BASE) >>> 12)).toBe("H");
    expect(at(parent.pdPhys >>> 12)).toBe("D");
    expect(at(child.pdPhys >>> 12)).toBe("D");
    const heapTable = sys.machine.memory.read32(parent.pdPhys + (HEAP >>> 22) * 4);
    expect(heapTable & PTE.PRESENT).toBe(PTE.PRESENT);
    expect(at(heapTable >>> 12)).toBe("T");
    expect(at(frameOf(sys, parent, HEAP))).toBe("C");
    expect(at(frameOf(sys, parent, USER_SHARED_BASE))).toBe("S");
    expect(at(frameOf(sys, parent, HEAP + 4096))).toBe("1");
    expect(at(frameOf(sys, child, HEAP + 8192))).toBe("2");
    const last = sys.vmm.totalFrames - 1;
    expect(sys.vmm.boot.frames.isUsed(last)).toBe(false);
    expect(at(last)).toBe(".");

    expectLegendCountsMatch(f);
    expect(f.legend.map((e) => e.symbol).join("")).toBe(".#MKPHDT12SC");
    expect(f.legend.find((e) => e.symbol === "2")).toMatchObject({ class: "user", pid: 2, frames: 1, meaning: "user page of pid 2 (child)" });
    expect(f).toMatchObject({ freeFrames: sys.vmm.freeFrames, userFrames: 4, sharedFrames: 2, directoryFrames: 2, kernelFrames: f.map.split(/[PH]/).length - 1 });
  });

  it("shows a swapped-in page that sharers yet to fault still name on disk as a swap-cache page", () => {
    const sys = bootTestSystem();
    const parent = sys.vmm.createAddressSpace()!;
    sys.vmm.switchAddressSpace(parent);
    expect(sys.vmm.brk(parent, HEAP + 4096)).toBe(true);
    write32(sys, HEAP, 7);
    const child = sys.vmm.cloneAddressSpace(parent)!;
    expect(sys.vmm.reclaim(1)).toBe(1);
    expect(read32(sys, HEAP)).toBe(7); // the parent swaps it in; the child's PTE still names the slot
    const f = frameMap(sys, [
      { pid: 1, name: "parent", pageDirectory: parent.pdPhys },
      { pid: 2, name: "child", pageDirectory: child.pdPhys },
    ]);
    expect(f.map[frameOf(sys, parent, HEAP)]).toBe("$");
    expect(f.legend.find((e) => e.class === "swap-cache")?.frames).toBe(1);
  });

  it("prints 64 frames a line, a run of identical lines as one line and '*', the end after a final '*', and the legend", () => {
    const f: FrameMap = {
      totalFrames: 320,
      freeFrames: 190,
      userFrames: 2,
      sharedFrames: 0,
      pageTableFrames: 0,
      directoryFrames: 0,
      kernelFrames: 0,
      reservedFrames: 128,
      map: "#".repeat(128) + "12" + ".".repeat(190),
      legend: [
        { symbol: ".", class: "free", meaning: "free", frames: 190 },
        { symbol: "#", class: "reserved", meaning: "reserved", frames: 128 },
        { symbol: "1", class: "user", meaning: "user page of pid 1 (a)", frames: 1, pid: 1 },
        { symbol: "2", class: "user", meaning: "user page of pid 2 (b)", frames: 1, pid: 2 },
      ],
    };
    expect(formatFrameMap(f).split("\n").slice(1)).toEqual([
      `0x00000 ${"#".repeat(64)}`,
      "*",
      `0x00080 12${".".repeat(62)}`,
      `0x000c0 ${".".repeat(64)}`,
      "*",
      "0x00140",
      "legend (symbol, frames):",
      "  . 190  free",
      "  # 128  reserved",
      "  1   1  user page of pid 1 (a)",
      "  2   1  user page of pid 2 (b)",
      "",
    ]);
  });

  it("adds no end line when the map ends in a printed line: that line shows where it ends", () => {
    const f: FrameMap = {
      totalFrames: 136,
      freeFrames: 136,
      userFrames: 0,
      sharedFrames: 0,
      pageTableFrames: 0,
      directoryFrames: 0,
      kernelFrames: 0,
      reservedFrames: 0,
      map: ".".repeat(136),
      legend: [{ symbol: ".", class: "free", meaning: "free", frames: 136 }],
    };
    expect(formatFrameMap(f).split("\n").slice(1, -3)).toEqual([`0x00000 ${".".repeat(64)}`, "*", `0x00080 ${".".repeat(8)}`]);
  });
});
