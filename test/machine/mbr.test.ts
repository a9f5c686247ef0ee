import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiskFormatError, SECTOR_SIZE } from "../../src/machine/block-device.js";
import { FileBlockDevice } from "../../src/machine/file-block-device.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import {
  type PartitionTable,
  type SectorReader,
  buildPartitionTable,
  encodePartitionTable,
  findSwapArea,
  lbaToChs,
  parsePartitionTable,
  readPartitionTable,
  swapSlotLba,
  writePartitionTable,
} from "../../src/machine/mbr.js";
import { asSfdisk, fixtureImage as fixture, fixtureSfdiskJson, sfdiskEssentials } from "./sfdisk-helper.js";

const IMAGES = ["swap82", "swape5", "multi"] as const;

function sector0Of(image: Uint8Array): Uint8Array {
  return image.slice(0, SECTOR_SIZE);
}

/** Reads sectors of `image`. */
function sectorsOf(image: Uint8Array): SectorReader {
  return (lba) => image.subarray(lba * SECTOR_SIZE, (lba + 1) * SECTOR_SIZE);
}

/** A disk whose sector 0 is `sector0` and every other sector zero. */
function onlySector0(sector0: Uint8Array): SectorReader {
  return (lba) => (lba === 0 ? sector0 : new Uint8Array(SECTOR_SIZE));
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
      // Through the file device, as a --swap-image is read (the fixture is stored gzip'd).
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-mbr-")), `${name}.img`);
      fs.writeFileSync(file, fixture(name));
      const device = FileBlockDevice.open(file, { readOnly: true });
      const table = readPartitionTable(device);
      device.close();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      expect(asSfdisk(table, `${name}.img`)).toEqual(sfdiskEssentials(fixtureSfdiskJson(name)));
    });

    it(`${name}.img: our encoding of that table is byte for byte what sfdisk wrote (CHS included)`, () => {
      const image = fixture(name);
      const table = parsePartitionTable(sectorsOf(image), image.length / SECTOR_SIZE, name);
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

/**
 * logical.img.gz: a 4 MiB image, primaries 1 (83) and 2 (extended), logicals
 * 5 (82, 2 MiB of swap) and 6 (83), made (util-linux 2.38.1) by
 *   truncate -s 4M logical.img
 *   printf 'label: dos\nlabel-id: 0x5eed0056\nlogical.img1 : start=2048, size=512, type=83\n
 *     logical.img2 : start=2560, size=5632, type=5\nlogical.img5 : start=2576, size=4096, type=82\n
 *     logical.img6 : start=6688, size=1504, type=83\n' | sfdisk -q logical.img
 *   sfdisk --json logical.img > logical.sfdisk.json; gzip -9 -n logical.img
 * sfdisk put the EBRs at 2560 (the extended partition's first sector) and 6687.
 */
describe("logical partitions in an extended partition made by sfdisk", () => {
  const EXT = 2560;
  const EBR2 = 6687;
  const SECTORS = 8192;
  const LOGICAL = fixture("logical");

  /** A fresh copy of logical.img with raw 16-byte entries patched into the table of sector `lba`. */
  function logical(patches: [lba: number, slot: number, bytes: number[]][] = [], extraSectors = 0): Uint8Array {
    const image = new Uint8Array((SECTORS + extraSectors) * SECTOR_SIZE);
    image.set(LOGICAL);
    for (const [lba, slot, bytes] of patches) image.set(bytes, lba * SECTOR_SIZE + 446 + (slot - 1) * 16);
    return image;
  }

  function parse(image: Uint8Array): PartitionTable {
    return parsePartitionTable(sectorsOf(image), image.length / SECTOR_SIZE, "l.img");
  }

  /** `image` with the 0x55AA signature written at the end of sector `lba`, which thereby reads as an EBR. */
  function withEbrAt(lba: number, image: Uint8Array): Uint8Array {
    image.set([0x55, 0xaa], lba * SECTOR_SIZE + 510);
    return image;
  }

  it("reads back exactly the partitions sfdisk --json reported: 1, 2 (extended), 5 and 6", () => {
    const table = readPartitionTable(MemoryBlockDevice.fromBytes(logical(), "logical.img"));
    expect(asSfdisk(table, "logical.img")).toEqual(sfdiskEssentials(fixtureSfdiskJson("logical")));
    expect(table.partitions.map((p) => p.slot)).toEqual([1, 2, 5, 6]);
  });

  it("sector 0 of that table encodes byte for byte as sfdisk wrote it; the logicals stay in their EBRs", () => {
    const image = logical();
    expect(encodePartitionTable(parse(image), sector0Of(image))).toEqual(sector0Of(image));
  });

  it("finds the swap area in logical partition 5, at its absolute LBA", () => {
    const swap = findSwapArea(parse(LOGICAL));
    expect(swap?.partition.slot).toBe(5);
    expect(swap).toMatchObject({ firstLba: 2576, slotCount: 512 });
    expect(swap && swapSlotLba(swap, 511)).toBe(2576 + 4088);
  });

  for (const type of [0x0f, 0x85]) {
    it(`follows the chain of an extended partition of type 0x${type.toString(16)} too`, () => {
      const image = logical([[0, 2, entry(0, type, EXT, SECTORS - EXT)]]);
      expect(parse(image).partitions.map((p) => [p.slot, p.firstLba])).toEqual([[1, 2048], [2, EXT], [5, 2576], [6, 6688]]);
    });
  }

  it("an EBR with an empty first entry holds no partition and takes no number, as in Linux", () => {
    const table = parse(logical([[EXT, 1, entry(0, 0, 0, 0)]]));
    expect(table.partitions.map((p) => [p.slot, p.firstLba, p.type])).toEqual([[1, 2048, 0x83], [2, EXT, 0x05], [5, 6688, 0x83]]);
    expect(findSwapArea(table)).toBeNull();
  });

  it("a swap partition in a logical is used for swap even after a non-swap one", () => {
    const table = parse(logical([[EXT, 1, entry(0, 0x83, 16, 4096)], [EBR2, 1, entry(0, 0xe5, 1, 1504)]]));
    expect(findSwapArea(table)).toMatchObject({ partition: { slot: 6 }, firstLba: 6688, slotCount: 188 });
  });

  const link = (rel: number, count = 1505) => entry(0, 0x05, rel, count);
  const chainCases: [string, Uint8Array, RegExp][] = [
    [
      "a chain that loops back to its first EBR",
      logical([[EBR2, 2, link(0)]]),
      /^l\.img: EBR at LBA 6687 links back to the EBR at LBA 2560; the EBR chain loops$/,
    ],
    [
      "an EBR that links to itself",
      logical([[EBR2, 2, link(EBR2 - EXT)]]),
      /^l\.img: EBR at LBA 6687 links back to the EBR at LBA 6687; the EBR chain loops$/,
    ],
    [
      "a link outside the extended partition",
      logical([[EXT, 2, link(6000)]], 8192),
      /^l\.img: EBR at LBA 2560 links to LBA 8560, outside extended partition 2 \(LBA 2560\.\.8191\)$/,
    ],
    [
      "a link past the end of the image",
      logical([[EXT, 2, link(0x10000000)]]),
      /^l\.img: EBR at LBA 2560 links to LBA 268438016, past the end of the device \(8192 sectors, last LBA 8191\)$/,
    ],
    [
      "an EBR without the 0x55AA signature",
      (() => {
        const image = logical();
        image.fill(0, EBR2 * SECTOR_SIZE + 510, EBR2 * SECTOR_SIZE + 512);
        return image;
      })(),
      /^l\.img: EBR at LBA 6687 \(in extended partition 2\) has no signature 0x55AA at offset 510 \(found 0x0000\)$/,
    ],
    [
      "a logical partition outside the extended partition",
      logical([[EBR2, 1, entry(0, 0x83, 1, 1600)]], 8192),
      /^l\.img: partition 6 \(LBA 6688\.\.8287, EBR at LBA 6687\) runs outside extended partition 2 \(LBA 2560\.\.8191\)$/,
    ],
    [
      "a logical partition past the end of the image",
      logical([[EBR2, 1, entry(0, 0x83, 1, 1505)]]),
      /^l\.img: partition 6 \(LBA 6688\.\.8192\) runs past the end of the device \(8192 sectors, last LBA 8191\)$/,
    ],
    [
      "overlapping logical partitions",
      logical([[EXT, 1, entry(0, 0x82, 16, 4200)]]),
      /^l\.img: partitions 5 \(LBA 2576\.\.6775\) and 6 \(LBA 6688\.\.8191\) overlap$/,
    ],
    [
      "a logical partition over the EBR of the next one (swap there would overwrite it)",
      logical([[EXT, 1, entry(0, 0x82, 16, EBR2 - 2576 + 1)]]),
      /^l\.img: partition 5 \(LBA 2576\.\.6687\) and EBR at LBA 6687 overlap$/,
    ],
    [
      "a link to an EBR inside the logical partition just read",
      withEbrAt(3000, logical([[EXT, 2, link(3000 - EXT)], [3000, 1, entry(0, 0x83, 6688 - 3000, 1504)]])),
      /^l\.img: partition 5 \(LBA 2576\.\.6671\) and EBR at LBA 3000 overlap$/,
    ],
    [
      "a link back to an EBR inside an earlier logical partition",
      withEbrAt(
        3000,
        logical([[EBR2, 1, entry(0, 0x83, 1, 1000)], [EBR2, 2, link(3000 - EXT)], [3000, 1, entry(0, 0x83, 7700 - 3000, 100)]]),
      ),
      /^l\.img: partition 5 \(LBA 2576\.\.6671\) and EBR at LBA 3000 overlap$/,
    ],
    [
      "a logical partition over its own EBR",
      logical([[EBR2, 1, entry(0, 0x83, 0, 100)]]),
      /^l\.img: partition 6 starts at LBA 6687, over its own EBR$/,
    ],
    [
      "a logical entry with a type but no sectors",
      logical([[EXT, 1, entry(0, 0x82, 16, 0)]]),
      /^l\.img: partition 5 \(EBR at LBA 2560\) is empty \(0 sectors\) but has type 0x82$/,
    ],
    [
      "a bad status byte in a logical entry",
      logical([[EBR2, 1, entry(0x12, 0x83, 1, 100)]]),
      /^l\.img: partition 6 \(EBR at LBA 6687\) has status byte 0x12, neither 0x00 nor 0x80$/,
    ],
    [
      "a link entry that is not of an extended type",
      logical([[EXT, 2, entry(0, 0x83, EBR2 - EXT, 1505)]]),
      /^l\.img: EBR at LBA 2560 links with type 0x83, not an extended type \(05, 0F or 85\)$/,
    ],
    [
      "an EBR with its link first",
      logical([[EXT, 1, link(EBR2 - EXT)]]),
      /^l\.img: EBR at LBA 2560 has extended type 0x05 in entry 1; the logical partition comes first, the link second$/,
    ],
    [
      "an EBR with a third entry in use",
      logical([[EBR2, 3, entry(0, 0x83, 100, 10)]]),
      /^l\.img: EBR at LBA 6687 has entry 3 in use; an EBR holds one logical partition and one link$/,
    ],
    [
      "two extended partitions",
      logical([[0, 2, entry(0, 0x05, EXT, 4000)], [0, 3, entry(0, 0x0f, 6600, 1000)]]),
      /^l\.img: partitions 2 and 3 are both extended; an MBR has at most one extended partition$/,
    ],
  ];
  for (const [problem, image, message] of chainCases) {
    it(`reports ${problem} in one line naming the EBR or partition`, () => {
      let error: unknown;
      try {
        parse(image);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DiskFormatError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("refuses to build or write an extended partition: its EBR chain would not be written", () => {
    expect(() => buildPartitionTable(1, [{ type: 0x05, firstLba: 2048, sectorCount: 100 }], 4096, "d")).toThrow(
      /d: partition 1 has extended type 0x05; only primary partitions are written, not EBR chains/,
    );
    const device = new MemoryBlockDevice(SECTORS, "copy.img");
    expect(() => writePartitionTable(device, parse(LOGICAL))).toThrow(/copy\.img: partition 2 is extended/);
  });

  it("any damage to the three table sectors parses into a sound table or fails with DiskFormatError", () => {
    const tableByte = fc.tuple(fc.constantFrom(0, EXT, EBR2), fc.integer({ min: 446, max: 511 })).map(([lba, at]) => lba * SECTOR_SIZE + at);
    // One copy of the 4 MiB image, each run's edits undone after it: a fresh copy per run was most of the test's time.
    const image = LOGICAL.slice();
    fc.assert(
      fc.property(fc.array(fc.tuple(tableByte, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        for (const [at, value] of edits) image[at] = value;
        let table: PartitionTable;
        try {
          table = parse(image);
        } catch (e) {
          expect(e).toBeInstanceOf(DiskFormatError);
          expect((e as Error).message).toMatch(/^l\.img: [^\n]+$/);
          return;
        } finally {
          for (const [at] of edits) image[at] = LOGICAL[at];
        }
        const end = (p: { firstLba: number; sectorCount: number }) => p.firstLba + p.sectorCount;
        const extended = table.partitions.find((p) => [0x05, 0x0f, 0x85].includes(p.type));
        const data = table.partitions.filter((p) => p !== extended).sort((a, b) => a.firstLba - b.firstLba);
        for (const p of data) {
          expect(p.firstLba).toBeGreaterThan(0);
          expect(end(p)).toBeLessThanOrEqual(SECTORS);
          if (p.slot > 4) expect(extended && p.firstLba > extended.firstLba && end(p) <= end(extended)).toBe(true);
        }
        for (let i = 1; i < data.length; i++) expect(data[i].firstLba).toBeGreaterThanOrEqual(end(data[i - 1]));
      }),
      { numRuns: 400 },
    );
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
      expect(() => parsePartitionTable(onlySector0(sector0), sectors, "bad.img")).toThrow(DiskFormatError);
      expect(() => parsePartitionTable(onlySector0(sector0), sectors, "bad.img")).toThrow(message);
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
  const EXTENDED = [0x05, 0x0f, 0x85];
  const partitionsArb = fc
    .array(
      fc.record({
        gap: fc.integer({ min: 0, max: 5000 }),
        size: fc.integer({ min: 1, max: 100_000 }),
        type: fc.integer({ min: 1, max: 255 }).filter((t) => t !== GPT && !EXTENDED.includes(t)),
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
        const parsed = parsePartitionTable(onlySector0(encodePartitionTable(table)), next + 7, "p.img");
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
          table = parsePartitionTable(onlySector0(bytes), sectors, "fuzz.img");
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
