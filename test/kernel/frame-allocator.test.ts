import { describe, expect, it } from "vitest";
import { FrameAllocator } from "../../src/kernel/frame-allocator.js";

describe("FrameAllocator", () => {
  it("hands out each frame once and counts what is free", () => {
    const a = new FrameAllocator(100);
    const got = new Set<number>();
    for (let i = 0; i < 100; i++) got.add(a.alloc());
    expect(got.size).toBe(100);
    expect(a.alloc()).toBe(-1);
    expect(a.freeFrames).toBe(0);
    expect(a.freeFrame(42)).toBe(true);
    expect(a.freeFrame(42)).toBe(false);
    expect(a.alloc()).toBe(42);
    expect(a.countFree()).toBe(a.freeFrames);
  });

  it("stays below a limit when asked (low memory for the kernel)", () => {
    const a = new FrameAllocator(200);
    for (let i = 0; i < 60; i++) expect(a.alloc(64)).toBeLessThan(64);
    for (let i = 0; i < 4; i++) expect(a.alloc(64)).toBeGreaterThanOrEqual(0);
    expect(a.alloc(64)).toBe(-1);
    expect(a.alloc()).toBe(64);
  });

  it("finds a contiguous run past used frames", () => {
    const a = new FrameAllocator(64);
    a.reserve(3);
    a.reserve(9);
    expect(a.allocContiguous(6)).toBe(10);
    expect(a.isUsed(10) && a.isUsed(15)).toBe(true);
    expect(a.allocContiguous(3)).toBe(0);
    expect(a.allocContiguous(100)).toBe(-1);
    expect(a.countFree()).toBe(a.freeFrames);
  });

  it("reserves byte ranges by the frames they touch", () => {
    const a = new FrameAllocator(16);
    expect(a.reserveBytes(0x1ffc, 0x3001)).toEqual([1, 2, 3]);
    expect(a.reserveBytes(0x2000, 0x2001)).toEqual([]);
    expect(a.freeFrames).toBe(13);
  });
});
