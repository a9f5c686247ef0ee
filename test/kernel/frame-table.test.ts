import { describe, expect, it } from "vitest";
import { FrameKind, FrameTable } from "../../src/kernel/frame-table.js";

describe("FrameTable reverse map", () => {
  it("records and forgets the PTE locations of a frame, counting them", () => {
    const ft = new FrameTable(16);
    ft.setKind(5, FrameKind.USER);
    ft.addMapping(5, 0x2000);
    ft.addMapping(5, 0x3004);
    ft.addMapping(5, 0xfffff000);
    expect(ft.refcount[5]).toBe(3);
    expect(ft.mappingsOf(5).sort((a, b) => a - b)).toEqual([0x2000, 0x3004, 0xfffff000]);
    expect(ft.removeMapping(5, 0x3004)).toBe(2);
    expect(ft.removeMapping(5, 0x3004)).toBe(-1);
    expect(ft.removeMapping(5, 0xfffff000)).toBe(1);
    expect(ft.mappingsOf(5)).toEqual([0x2000]);
  });

  it("grows past its first pool and reuses freed nodes", () => {
    const ft = new FrameTable(4);
    for (let i = 0; i < 5000; i++) ft.addMapping(i % 4, 0x100000 + i * 4);
    expect(ft.mappingsOf(1).length).toBe(1250);
    ft.dropAllMappings(1);
    expect(ft.refcount[1]).toBe(0);
    for (let i = 0; i < 1250; i++) ft.addMapping(1, 0x900000 + i * 4);
    expect(ft.mappingsOf(1).length).toBe(1250);
    expect(ft.mappingsOf(2).length).toBe(1250);
  });

  it("knows the space and virtual address of a PTE from its page table's owner", () => {
    const ft = new FrameTable(16);
    ft.setKind(7, FrameKind.PAGE_TABLE, 3, 0x100);
    const pteAddr = 7 * 4096 + 0x25 * 4;
    expect(ft.spaceOfPte(pteAddr)).toBe(3);
    expect(ft.vaOfPte(pteAddr)).toBe(0x40025000);
  });
});
