/** The reference model the torture test trusts: it must be obviously right. */
import { describe, expect, it } from "vitest";
import { ReferenceModel } from "../../src/sim/reference-model.js";
import { KERNEL_BASE, USER_CODE_BASE, USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_BASE } from "../../src/kernel/layout.js";
import { decodeOp, randomOps } from "../../src/sim/torture.js";

describe("reference model", () => {
  it("a forked child's writes do not show in the parent, and the other way round", () => {
    const m = new ReferenceModel();
    m.spawn(1);
    m.brk(1, USER_HEAP_BASE + 4096);
    m.write(1, USER_HEAP_BASE, Uint8Array.of(1, 2, 3));
    m.fork(1, 2);
    m.write(2, USER_HEAP_BASE, Uint8Array.of(9));
    expect(m.read(1, USER_HEAP_BASE, 3)).toEqual(Uint8Array.of(1, 2, 3));
    expect(m.read(2, USER_HEAP_BASE, 3)).toEqual(Uint8Array.of(9, 2, 3));
  });

  it("allows the heap below the break, mapped shared pages, the stack region and nothing else", () => {
    const m = new ReferenceModel();
    m.spawn(1);
    m.brk(1, USER_HEAP_BASE + 4096);
    m.mmap(1, USER_SHARED_BASE, 4096, false);
    expect(m.pageAllows(1, USER_HEAP_BASE + 4095, true)).toBe(true);
    expect(m.pageAllows(1, USER_HEAP_BASE + 4096, false)).toBe(false);
    expect(m.pageAllows(1, USER_SHARED_BASE, false)).toBe(true);
    expect(m.pageAllows(1, USER_SHARED_BASE, true)).toBe(false);
    expect(m.pageAllows(1, USER_STACK_BASE, true)).toBe(true);
    expect(m.pageAllows(1, USER_STACK_BASE - 1, false)).toBe(false);
    expect(m.pageAllows(1, KERNEL_BASE, false)).toBe(false);
    expect(m.rangeAllows(1, USER_HEAP_BASE + 4094, 4, false)).toBe(false);
  });

  it("a program image maps pages of the code region only, read-only or writable", () => {
    const m = new ReferenceModel();
    m.spawn(1);
    expect(m.mapImage(1, USER_CODE_BASE, 2 * 4096, false)).toBe(true);
    expect(m.mapImage(1, USER_CODE_BASE + 4096, 4096, true)).toBe(false);
    expect(m.mapImage(1, USER_SHARED_BASE, 4096, true)).toBe(false);
    expect(m.pageAllows(1, USER_CODE_BASE + 4097, false)).toBe(true);
    expect(m.pageAllows(1, USER_CODE_BASE, true)).toBe(false);
    expect(m.pageAllows(1, USER_CODE_BASE + 2 * 4096, false)).toBe(false);
  });

  it("brk shrink and munmap drop data; mmap refuses overlaps", () => {
    const m = new ReferenceModel();
    m.spawn(1);
    m.brk(1, USER_HEAP_BASE + 2 * 4096);
    m.write(1, USER_HEAP_BASE + 4096, Uint8Array.of(5));
    m.brk(1, USER_HEAP_BASE + 4096);
    m.brk(1, USER_HEAP_BASE + 2 * 4096);
    expect(m.read(1, USER_HEAP_BASE + 4096, 1)).toEqual(Uint8Array.of(0));
    expect(m.mmap(1, USER_SHARED_BASE, 2 * 4096, true)).toBe(true);
    expect(m.mmap(1, USER_SHARED_BASE + 4096, 4096, true)).toBe(false);
    m.write(1, USER_SHARED_BASE, Uint8Array.of(7));
    m.munmap(1, USER_SHARED_BASE, 2 * 4096);
    expect(m.pageAllows(1, USER_SHARED_BASE, false)).toBe(false);
    expect(m.mmap(1, USER_SHARED_BASE, 4096, true)).toBe(true);
    expect(m.read(1, USER_SHARED_BASE, 1)).toEqual(Uint8Array.of(0));
  });
});

describe("torture operations", () => {
  it("every raw input decodes to an operation, zero to the simplest", () => {
    expect(decodeOp([0, 0, 0, 0])).toMatchObject({ kind: "read", proc: 0, size: 1 });
    for (const op of randomOps(3, 1000)) expect(op.kind).toMatch(/^[a-zA-Z]+$/);
  });

  it("the seeded generator is deterministic", () => {
    expect([...randomOps(9, 50)]).toEqual([...randomOps(9, 50)]);
  });
});
