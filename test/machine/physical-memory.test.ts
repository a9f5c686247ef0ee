import { describe, expect, it } from "vitest";
import { PhysicalMemory, MemoryConfigError } from "../../src/machine/physical-memory.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";

describe("PhysicalMemory", () => {
  it("reads zero from RAM never written and all-ones where nothing is decoded", () => {
    const mem = new PhysicalMemory(1 << 20);
    expect(mem.read32(0x1000)).toBe(0);
    expect(mem.read32(0x200000) >>> 0).toBe(0xffffffff);
    mem.write32(0x200000, 0x1234);
    expect(mem.read32(0x200000)).toBe(-1);
  });

  it("stores little-endian words readable byte by byte and across alignment", () => {
    const mem = new PhysicalMemory(1 << 20);
    mem.write32(0x2000, 0x11223344);
    expect([0, 1, 2, 3].map((i) => mem.read8(0x2000 + i))).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(mem.read16(0x2001)).toBe(0x2233);
    mem.write32(0x2ffe, 0xaabbccdd);
    expect(mem.read8(0x3000)).toBe(0xbb);
    expect(mem.read32(0x2ffe) >>> 0).toBe(0xaabbccdd);
  });

  it("backs only the frames written, and gives a zeroed frame's backing back", () => {
    const mem = new PhysicalMemory(1024 * 1024 * 1024);
    for (let pfn = 1000; pfn < 1010; pfn++) mem.write32(pfn * 4096, pfn);
    expect(mem.backedFrames).toBe(10);
    mem.zeroFrame(1000);
    expect(mem.backedFrames).toBe(9);
    expect(mem.read32(1000 * 4096)).toBe(0);
    mem.copyFrame(2000, 1001);
    expect(mem.read32(2000 * 4096)).toBe(1001);
  });

  it("keeps every frame's words as its backing store grows, reuses freed backing first, and holds at most twice what is backed", () => {
    const mem = new PhysicalMemory(64 << 20);
    const word = (pfn: number) => pfn * 4096 + ((pfn * 4) & 0xffc);
    for (let pfn = 100; pfn < 1100; pfn++) mem.write32(word(pfn), pfn * 7 + 1);
    for (let pfn = 100; pfn < 600; pfn++) mem.zeroFrame(pfn);
    const grown = mem.hostBytes;
    for (let pfn = 5000; pfn < 5500; pfn++) mem.write32(word(pfn), -pfn); // the 500 freed backings, no growth
    expect(mem.hostBytes).toBe(grown);
    for (let pfn = 6000; pfn < 7000; pfn++) mem.write8(pfn * 4096 + 4095, pfn & 0xff); // grows past 1,024 backings
    expect(mem.backedFrames).toBe(2000);
    expect(mem.hostBytes).toBeGreaterThan(grown);
    expect(mem.hostBytes).toBeLessThanOrEqual(2 * 2000 * 4096);
    for (let pfn = 100; pfn < 600; pfn++) expect(mem.read32(word(pfn))).toBe(0);
    for (let pfn = 600; pfn < 1100; pfn++) expect(mem.read32(word(pfn))).toBe(pfn * 7 + 1);
    for (let pfn = 5000; pfn < 5500; pfn++) expect(mem.read32(word(pfn))).toBe(-pfn);
    for (let pfn = 6000; pfn < 7000; pfn++) expect([mem.read8(pfn * 4096 + 4095), mem.read8(pfn * 4096)]).toEqual([pfn & 0xff, 0]);
  });

  it("tells the write observer of the words a whole-frame write changes, in the frames it watches only", () => {
    const mem = new PhysicalMemory(16 << 20);
    const seen: [number, number, number][] = [];
    mem.writeObserver = { wordWritten: (pa, oldValue, newValue) => seen.push([pa, oldValue, newValue]), watchesFrame: (pfn) => pfn === 5 };
    mem.write32(0x6000, 0x66); // frame 6: words are always told (the observer filters them)
    mem.write32(0x5008, 0x55);
    seen.length = 0;
    mem.copyFrame(5, 6);
    mem.copyFrame(6, 5); // not watched: nothing told
    expect(seen).toEqual([
      [0x5000, 0, 0x66],
      [0x5008, 0x55, 0],
    ]);
    seen.length = 0;
    const data = new Uint8Array(4100);
    data.set([0x44, 0x33, 0x22, 0x11], 4 + 12);
    mem.writeFrame(5, data, 4);
    expect(seen).toEqual([
      [0x5000, 0x66, 0],
      [0x500c, 0, 0x11223344],
    ]);
    seen.length = 0;
    mem.copyFrame(5, 0xfff00); // from open bus
    expect(seen).toHaveLength(1024);
    expect(seen[3]).toEqual([0x500c, 0x11223344, -1]);
    seen.length = 0;
    mem.zeroFrame(5);
    expect(seen[0]).toEqual([0x5000, -1, 0]);
    expect(seen).toHaveLength(1024);
    mem.copyFrame(5, 7); // from a frame never written: zero over zero, nothing changes
    expect(seen).toHaveLength(1024);
  });

  it("moves whole frames to and from a disk (DMA): a reused backing gets the disk's bytes, an untouched frame writes zeros", () => {
    const mem = new PhysicalMemory(16 << 20);
    const disk = new MemoryBlockDevice(64);
    mem.write32(0x7000, 0x1234);
    mem.write32(0x7ffc, -2);
    mem.storeFrame(7, disk, 8);
    mem.write32(0x9010, 0x77); // frame 9 is backed, then freed: its backing (with 0x77) is the next one reused
    mem.zeroFrame(9);
    mem.loadFrame(3, disk, 8);
    expect([mem.read32(0x3000), mem.read32(0x3010), mem.read32(0x3ffc)]).toEqual([0x1234, 0, -2]);
    mem.storeFrame(11, disk, 16); // never written: the disk gets zeros
    const bytes = new Uint8Array(4096).fill(1);
    disk.read(16, 8, bytes);
    expect(bytes.every((b) => b === 0)).toBe(true);
    mem.loadFrame(0xfff00, disk, 8); // open bus: dropped
    expect(mem.read32(0xfff00000)).toBe(-1);
  });

  it("gives the backing of a frame loaded with a page of zeros back to the host, and keeps a page with data", () => {
    const mem = new PhysicalMemory(16 << 20);
    const disk = new MemoryBlockDevice(64);
    mem.storeFrame(4, disk, 0); // untouched: zeros on disk
    mem.write32(0x8ff8, 0x42); // the last words of a page: the zero test reaches them
    mem.storeFrame(8, disk, 8);
    mem.zeroFrame(8);
    mem.write32(0x2000, 7); // frame 2's backing is not zeros: the load replaces it whole
    mem.loadFrame(2, disk, 0);
    expect(mem.backedFrames).toBe(0);
    expect(mem.frameIsZero(2)).toBe(true);
    mem.loadFrame(3, disk, 8);
    expect(mem.backedFrames).toBe(1);
    expect([mem.read32(0x3000), mem.read32(0x3ff8)]).toEqual([0, 0x42]);
  });

  it("tells the write observer of a watched frame what a load from disk changed", () => {
    const mem = new PhysicalMemory(16 << 20);
    const disk = new MemoryBlockDevice(64);
    mem.write32(0x6004, 0x66);
    mem.storeFrame(6, disk, 0);
    mem.write32(0x5008, 0x55);
    const seen: [number, number, number][] = [];
    mem.writeObserver = { wordWritten: (pa, oldValue, newValue) => seen.push([pa, oldValue, newValue]), watchesFrame: (pfn) => pfn === 5 };
    mem.loadFrame(5, disk, 0);
    expect(seen).toEqual([
      [0x5004, 0, 0x66],
      [0x5008, 0x55, 0],
    ]);
  });

  it("rejects RAM sizes that are not 4 KiB multiples or outside 1 MiB..3 GiB", () => {
    expect(() => new PhysicalMemory(1024 * 1024 + 1)).toThrow(MemoryConfigError);
    expect(() => new PhysicalMemory(512 * 1024)).toThrow(/outside/);
    expect(() => new PhysicalMemory(4 * 1024 * 1024 * 1024)).toThrow(/outside/);
  });

  it("decodes a device range above RAM like memory, and refuses overlaps", () => {
    const mem = new PhysicalMemory(16 << 20);
    mem.addDevice("framebuffer", 0xfd000000, 0x300000);
    mem.write32(0xfd000010, 7);
    expect(mem.read32(0xfd000010)).toBe(7);
    expect(() => mem.addDevice("x", 0xfd100000, 0x1000)).toThrow(/overlaps/);
    expect(() => mem.addDevice("y", 0x1000, 0x1000)).toThrow(/overlaps RAM/);
  });

  it("keeps RAM written before a device is added, and open bus below, between and above the devices", () => {
    const mem = new PhysicalMemory(16 << 20);
    mem.write32(0xfff000, 0x1234);
    mem.addDevice("low", 0x2000000, 0x1000);
    mem.addDevice("framebuffer", 0xfd000000, 0x1000);
    expect(mem.read32(0xfff000)).toBe(0x1234);
    expect(mem.read32(0x2000000)).toBe(0); // a device frame never written reads as zero
    for (const pa of [0x1000000, 0x2001000, 0xfcfff000, 0xfd001000, 0xfffff000]) {
      mem.write32(pa, 5); // dropped
      expect(mem.read32(pa), `0x${pa.toString(16)}`).toBe(-1);
      expect(mem.read8(pa + 3)).toBe(0xff);
    }
  });
});
