import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiskFormatError, SECTOR_SIZE } from "../../src/machine/block-device.js";
import { FileBlockDevice } from "../../src/machine/file-block-device.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import {
  type PartitionTable,
  buildPartitionTable,
  encodePartitionTable,
  findSwapArea,
  lbaToChs,
  parsePartitionTable,
  readPartitionTable,
  swapSlotLba,
  writePartitionTable,
} from "../../src/machine/mbr.js";
import { type SfdiskJson, asSfdisk, sfdiskEssentials } from "./sfdisk-helper.js";

const FIXTURES = path.join(import.meta.dirname, "../fixtures/disk");
const IMAGES = ["swap82", "swape5", "multi"] as const;

function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, `${name}.img`)));
}

function sector0Of(image: Uint8Array): Uint8Array {
  return image.slice(0, SECTOR_SIZE);
}

/** Sector 0 of a 4096-sector disk with the given raw 16-byte entries patched in. */
function mbrWith(entries: Record<number, number[]>, signature = [0x55, 0xaa]): Uint8Array {
  const s = new Uint8Array(SECTOR_SIZE);
  for (const [slot, bytes] of Object.entries(entries)) s.set(bytes, 446 + (Number(slot) - 1) * 16);
  s.set(signature, 510);
  return s;
}

/** A raw entry: status, type, LBA and count (CHS left zero, as nothing reads it). */
function entry(status: number, type: number, lba: number, count: number): number[] {
  const e = new Uint8Array(16);
  const v = new DataView(e.buffer);
  v.setUint8(0, status);
  v.setUint8(4, type);
  v.setUint32(8, lba, true);
  v.setUint32(12, count, true);
  return [...e];
}

describe("reading partition tables made by sfdisk", () => {
  for (const name of IMAGES) {
    it(`${name}.img reads back exactly the partitions sfdisk --json reported`, () => {
      const device = FileBlockDevice.open(path.join(FIXTURES, `${name}.img`), { readOnly: true });
      const table = readPartitionTable(device);
      device.close();
      const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.sfdisk.json`), "utf8")) as SfdiskJson;
      expect(asSfdisk(table, `${name}.img`)).toEqual(sfdiskEssentials(expected));
    });

    it(`${name}.img: our encoding of that table is byte for byte what sfdisk wrote (CHS included)`, () => {
      const image = fixture(name);
      const table = parsePartitionTable(sector0Of(image), image.length / SECTOR_SIZE, name);
      const rebuilt = buildPartitionTable(table.diskId, table.partitions, image.length / SECTOR_SIZE, name);
      expect(encodePartitionTable(rebuilt, sector0Of(image))).toEqual(sector0Of(image));
    });
  }

  it("finds the swap area by type: 0x82 and 0xE5, first in slot order", () => {
    const s82 = findSwapArea(readPartitionTable(MemoryBlockDevice.fromBytes(fixture("swap82"))));
    expect(s82).toMatchObject({ firstLba: 2048, slotCount: 256 });
    expect(s82?.partition.type).toBe(0x82);
    const se5 = findSwapArea(readPartitionTable(MemoryBlockDevice.fromBytes(fixture("swape5"))));
    expect(se5).toMatchObject({ firstLba: 2048, slotCount: 128 });
    expect(se5?.partition.type).toBe(0xe5);
    const multi = findSwapArea(readPartitionTable(MemoryBlockDevice.fromBytes(fixture("multi"))));
    expect(multi?.partition.slot).toBe(2);
    expect(multi && swapSlotLba(multi, 3)).toBe(3584 + 24);
  });

  it("has no swap area without a partition of type 0x82 or 0xE5", () => {
    const table = buildPartitionTable(1, [{ type: 0x83, firstLba: 2048, sectorCount: 100 }], 4096, "d");
    expect(findSwapArea(table)).toBeNull();
  });

  it("counts whole 8-sector slots only", () => {
    const table = buildPartitionTable(1, [{ type: 0xe5, firstLba: 100, sectorCount: 8 * 5 + 7 }], 4096, "d");
    expect(findSwapArea(table)?.slotCount).toBe(5);
  });
});

describe("CHS as sfdisk computes it", () => {
  it("uses 255 heads and 63 sectors per track", () => {
    expect(lbaToChs(2048)).toEqual({ cylinder: 0, head: 32, sector: 33 });
    expect(lbaToChs(255 * 63 * 5 + 63 + 4)).toEqual({ cylinder: 5, head: 1, sector: 5 });
  });

  it("writes 1023/254/63 (bytes FE FF FF) for a sector past CHS range", () => {
    const far = buildPartitionTable(1, [{ type: 0x82, firstLba: 20_002_816, sectorCount: 13_551_616 }], 2 ** 25, "big");
    const bytes = encodePartitionTable(far);
    expect([...bytes.subarray(447, 450)]).toEqual([0xfe, 0xff, 0xff]);
    expect([...bytes.subarray(451, 454)]).toEqual([0xfe, 0xff, 0xff]);
  });
});

describe("writing partition tables", () => {
  it("reads back what it wrote, and keeps the boot code in bytes 0..439", () => {
    const device = new MemoryBlockDevice(8192);
    const boot = new Uint8Array(SECTOR_SIZE);
    boot.fill(0x90, 0, 440);
    device.write(0, 1, boot);
    const table: PartitionTable = buildPartitionTable(
      0xdeadbeef,
      [
        { type: 0x83, firstLba: 2048, sectorCount: 1024, bootable: true },
        { slot: 3, type: 0xe5, firstLba: 4096, sectorCount: 4096 },
        { type: 0x82, firstLba: 3072, sectorCount: 1024 },
      ],
      device.sectorCount,
      "mem",
    );
    writePartitionTable(device, table);
    expect(readPartitionTable(device)).toEqual(table);
    expect(table.partitions.map((p) => p.slot)).toEqual([1, 2, 3]);
    const sector0 = new Uint8Array(SECTOR_SIZE);
    device.read(0, 1, sector0);
    expect(sector0.subarray(0, 440).every((b) => b === 0x90)).toBe(true);
  });

  it("refuses to write a table that does not fit the device", () => {
    const table = buildPartitionTable(1, [{ type: 0x82, firstLba: 2048, sectorCount: 2048 }], 4096, "big");
    expect(() => writePartitionTable(new MemoryBlockDevice(3000, "small.img"), table)).toThrow(
      /small\.img: partition 1 \(LBA 2048\.\.4095\) runs past the end of the device \(3000 sectors/,
    );
  });

  it("refuses a fifth partition, an empty one, and a slot used twice", () => {
    const p = (firstLba: number) => ({ type: 0x83, firstLba, sectorCount: 10 });
    expect(() => buildPartitionTable(1, [p(10), p(20), p(30), p(40), p(50)], 100, "d")).toThrow(/no free MBR entry 5/);
    expect(() => buildPartitionTable(1, [{ type: 0x82, firstLba: 10, sectorCount: 0 }], 100, "d")).toThrow(/empty/);
    expect(() => buildPartitionTable(1, [{ ...p(10), slot: 2 }, { ...p(20), slot: 2 }], 100, "d")).toThrow(/entry 2/);
  });
});

describe("bad images get one clear error naming the file and the problem", () => {
  const ok = entry(0x00, 0x82, 2048, 1024);
  const cases: [string, Uint8Array, number, RegExp][] = [
    ["no 0x55AA signature", mbrWith({ 1: ok }, [0, 0]), 4096, /bad\.img: no MBR signature 0x55AA at offset 510 \(found 0x0000\)/],
    ["a partition past the end", mbrWith({ 1: entry(0, 0x82, 2048, 4096) }), 4096, /partition 1 \(LBA 2048\.\.6143\) runs past the end of the device \(4096 sectors, last LBA 4095\)/],
    ["overlapping partitions", mbrWith({ 1: ok, 3: entry(0, 0x83, 3000, 100) }), 4096, /partitions 1 \(LBA 2048\.\.3071\) and 3 \(LBA 3000\.\.3099\) overlap/],
    ["an entry with a type but no sectors", mbrWith({ 2: entry(0, 0xe5, 2048, 0) }), 4096, /partition 2 is empty \(0 sectors\) but has type 0xE5/],
    ["a status byte that is not 0x00 or 0x80", mbrWith({ 1: entry(0x12, 0x82, 2048, 8) }), 4096, /partition 1 has status byte 0x12/],
    ["a partition over the MBR", mbrWith({ 4: entry(0, 0x82, 0, 8) }), 4096, /partition 4 starts at LBA 0, over the MBR/],
    ["a GPT protective MBR", mbrWith({ 1: entry(0, 0xee, 1, 4095) }), 4096, /GPT disk/],
  ];
  for (const [problem, sector0, sectors, message] of cases) {
    it(`reports ${problem}`, () => {
      expect(() => parsePartitionTable(sector0, sectors, "bad.img")).toThrow(DiskFormatError);
      expect(() => parsePartitionTable(sector0, sectors, "bad.img")).toThrow(message);
    });
  }

  it("reports an empty image", () => {
    expect(() => readPartitionTable(new MemoryBlockDevice(0, "empty.img"))).toThrow(/empty\.img: image is empty, there is no MBR/);
  });

  it("reports a truncated sfdisk image: its partition now runs past the end", () => {
    const image = fixture("swap82").slice(0, 3000 * SECTOR_SIZE);
    expect(() => readPartitionTable(MemoryBlockDevice.fromBytes(image, "cut.img"))).toThrow(/cut\.img: partition 1 .* runs past the end/);
  });
});

describe("properties", () => {
  const GPT = 0xee;
  const partitionsArb = fc
    .array(
      fc.record({
        gap: fc.integer({ min: 0, max: 5000 }),
        size: fc.integer({ min: 1, max: 100_000 }),
        type: fc.integer({ min: 1, max: 255 }).filter((t) => t !== GPT),
        bootable: fc.boolean(),
      }),
      { maxLength: 4 },
    )
    .chain((parts) =>
      fc.tuple(fc.constant(parts), fc.shuffledSubarray([1, 2, 3, 4], { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    );

  it("any table of up to four disjoint partitions reads back exactly as written", () => {
    fc.assert(
      fc.property(partitionsArb, ([parts, slots, diskId]) => {
        let next = 1;
        const specs = parts.map((p, i) => {
          const firstLba = next + p.gap;
          next = firstLba + p.size;
          return { slot: slots[i], type: p.type, firstLba, sectorCount: p.size, bootable: p.bootable };
        });
        const table = buildPartitionTable(diskId, specs, next + 7, "p.img");
        const parsed = parsePartitionTable(encodePartitionTable(table), next + 7, "p.img");
        expect(parsed).toEqual(table);
        expect(findSwapArea(parsed)?.partition.slot).toBe(
          [...parsed.partitions].find((p) => p.type === 0x82 || p.type === 0xe5)?.slot,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("any sector 0 either parses into disjoint in-range partitions or fails with DiskFormatError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 512, maxLength: 512 }), fc.boolean(), fc.integer({ min: 1, max: 2 ** 33 }), (bytes, signed, sectors) => {
        if (signed) bytes.set([0x55, 0xaa], 510);
        let table: PartitionTable;
        try {
          table = parsePartitionTable(bytes, sectors, "fuzz.img");
        } catch (e) {
          expect(e).toBeInstanceOf(DiskFormatError);
          expect((e as Error).message).toMatch(/^fuzz\.img: /);
          return;
        }
        for (const p of table.partitions) {
          expect(p.firstLba).toBeGreaterThan(0);
          expect(p.firstLba + p.sectorCount).toBeLessThanOrEqual(sectors);
        }
      }),
      { numRuns: 500 },
    );
  });
});
