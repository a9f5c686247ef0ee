import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BlockDevice, DiskFormatError, DiskIoError, SECTOR_SIZE } from "../../src/machine/block-device.js";
import { FileBlockDevice } from "../../src/machine/file-block-device.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import { FaultyBlockDevice } from "../../src/machine/faulty-block-device.js";
import { PlainBlockDevice } from "../../src/machine/plain-block-device.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-bd-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A sparse image file of `sectors` sectors. */
function imageFile(sectors: number, name = "disk.img"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, "");
  fs.truncateSync(file, sectors * SECTOR_SIZE);
  return file;
}

/** `count` sectors of the image file from `lba`, as the host has them. */
function fileBytes(file: string, lba: number, count: number): Uint8Array {
  return new Uint8Array(fs.readFileSync(file).subarray(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE));
}

/** Fills the sector at `lba` of the image file with `value`, through a descriptor of its own. */
function behindTheBack(file: string, lba: number, value: number): void {
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, new Uint8Array(SECTOR_SIZE).fill(value), 0, SECTOR_SIZE, lba * SECTOR_SIZE);
  fs.closeSync(fd);
}

function pattern(sectors: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(sectors * SECTOR_SIZE);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + seed) & 0xff;
  return bytes;
}

/** The behaviour both backings share. */
function behavesLikeADisk(make: (sectors: number) => BlockDevice): void {
  it("reads zeros where nothing was written and reads back what was written", () => {
    const disk = make(64);
    const out = new Uint8Array(2 * SECTOR_SIZE).fill(0xee);
    disk.read(10, 2, out);
    expect(out.every((b) => b === 0)).toBe(true);
    const data = pattern(3, 5);
    disk.write(7, 3, data);
    const back = new Uint8Array(3 * SECTOR_SIZE);
    disk.read(7, 3, back);
    expect(back).toEqual(data);
    disk.close();
  });

  it("transfers at buffer offsets without touching the bytes around them", () => {
    const disk = make(16);
    const buffer = new Uint8Array(SECTOR_SIZE + 100).fill(9);
    buffer.set(pattern(1, 1), 50);
    disk.write(3, 1, buffer, 50);
    const out = new Uint8Array(SECTOR_SIZE + 8).fill(0xaa);
    disk.read(3, 1, out, 4);
    expect(out.subarray(4, 4 + SECTOR_SIZE)).toEqual(pattern(1, 1));
    expect([...out.subarray(0, 4), ...out.subarray(4 + SECTOR_SIZE)]).toEqual(new Array(8).fill(0xaa));
    disk.close();
  });

  it("refuses a transfer past the last sector, naming the LBA range and the device", () => {
    const disk = make(16);
    const buffer = new Uint8Array(4 * SECTOR_SIZE);
    expect(() => disk.read(14, 4, buffer)).toThrow(DiskIoError);
    expect(() => disk.write(14, 4, buffer)).toThrow(new RegExp(`${escape(disk.name)}: write of LBA 14\\.\\.17 is past the end`));
    expect(() => disk.read(-1, 1, buffer)).toThrow(/not a sector range/);
    expect(() => disk.read(0, 5, buffer)).toThrow(/buffer of 2048 bytes/);
    disk.close();
  });

  it("refuses transfers once closed", () => {
    const disk = make(4);
    disk.close();
    expect(() => disk.read(0, 1, new Uint8Array(SECTOR_SIZE))).toThrow(/closed/);
  });
}

/** Byte equality without a deep-equality walk (fast for property runs). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("MemoryBlockDevice", () => {
  behavesLikeADisk((sectors) => new MemoryBlockDevice(sectors));

  it("costs host memory only for the 4 KiB chunks written", () => {
    const disk = new MemoryBlockDevice(2 * 1024 * 1024);
    disk.write(123456, 1, pattern(1, 3));
    disk.write(123457, 1, pattern(1, 4));
    expect(disk.hostBytes).toBe(4096);
  });

  it("gives back a chunk zeroed whole, and knows it reads as zeros", () => {
    const disk = new MemoryBlockDevice(64);
    disk.write(8, 16, pattern(16, 1));
    expect(disk.readsZeros(8, 8)).toBe(false);
    disk.writeZeroes(8, 9);
    expect(disk.hostBytes).toBe(4096);
    expect(disk.readsZeros(8, 8)).toBe(true);
    expect(disk.readsZeros(8, 9)).toBe(false);
    const back = new Uint8Array(16 * SECTOR_SIZE);
    disk.read(8, 16, back);
    expect(back.subarray(0, 9 * SECTOR_SIZE).every((b) => b === 0)).toBe(true);
    expect(back.subarray(9 * SECTOR_SIZE)).toEqual(pattern(16, 1).subarray(9 * SECTOR_SIZE));
  });

  it("round-trips an image through fromBytes and toBytes", () => {
    const image = pattern(24, 11);
    image.fill(0, 4096, 8192);
    expect(MemoryBlockDevice.fromBytes(image).toBytes()).toEqual(image);
    expect(() => MemoryBlockDevice.fromBytes(new Uint8Array(700))).toThrow(/not a whole number of 512-byte sectors/);
  });
});

describe("FileBlockDevice", () => {
  let n = 0;
  behavesLikeADisk((sectors) => FileBlockDevice.open(imageFile(sectors, `d${n++}.img`)));

  it("writes through to the image file at lba * 512 and leaves it sparse-sized", () => {
    const file = imageFile(32);
    const disk = FileBlockDevice.open(file);
    expect(disk.sectorCount).toBe(32);
    disk.write(5, 2, pattern(2, 7));
    disk.flush();
    disk.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(32 * SECTOR_SIZE);
    expect(new Uint8Array(bytes.subarray(5 * SECTOR_SIZE, 7 * SECTOR_SIZE))).toEqual(pattern(2, 7));
  });

  it("refuses an image whose size is not a whole number of sectors", () => {
    const file = path.join(dir, "odd.img");
    fs.writeFileSync(file, new Uint8Array(1000));
    expect(() => FileBlockDevice.open(file)).toThrow(DiskFormatError);
    expect(() => FileBlockDevice.open(file)).toThrow(/odd\.img: image size 1000 bytes is not a multiple of 512/);
  });

  it("fails writes on an image opened read-only", () => {
    const disk = FileBlockDevice.open(imageFile(4), { readOnly: true });
    expect(() => disk.write(0, 1, new Uint8Array(SECTOR_SIZE))).toThrow(/opened read-only/);
    expect(() => disk.writeZeroes(0, 1)).toThrow(/opened read-only/);
    disk.close();
  });

  // The device assumes it is the image's only writer (a user's image is locked while in use):
  // bytes changed behind its back show which transfers it skipped.
  it("writes zeros over bytes it does not know, and skips zeros over a block it zeroed itself", () => {
    const file = imageFile(32);
    fs.writeFileSync(file, new Uint8Array(32 * SECTOR_SIZE).fill(0xa5));
    const disk = FileBlockDevice.open(file);
    expect(disk.readsZeros(8, 8)).toBe(false);
    disk.writeZeroes(8, 8);
    expect(fileBytes(file, 8, 8).every((b) => b === 0)).toBe(true);
    expect(disk.readsZeros(8, 8)).toBe(true);
    behindTheBack(file, 8, 0x77);
    disk.writeZeroes(8, 8);
    expect(fileBytes(file, 8, 1)[0]).toBe(0x77); // the write never reached the file
    const read = new Uint8Array(8 * SECTOR_SIZE);
    disk.read(8, 8, read);
    expect(read[0]).toBe(0x77); // a read asked for is made
    disk.close();
  });

  it("forgets a zeroed block as soon as anything else is written into it, even one sector, even a failed write", () => {
    const file = imageFile(32);
    const disk = FileBlockDevice.open(file);
    disk.writeZeroes(0, 24);
    disk.write(9, 1, pattern(1, 3));
    expect(disk.readsZeros(8, 8)).toBe(false);
    expect(disk.readsZeros(16, 8)).toBe(true);
    const back = new Uint8Array(SECTOR_SIZE);
    disk.read(9, 1, back);
    expect(back).toEqual(pattern(1, 3));
    disk.writeZeroes(8, 8);
    expect(fileBytes(file, 9, 1).every((b) => b === 0)).toBe(true);
    expect(() => disk.write(16, 8, new Uint8Array(SECTOR_SIZE))).toThrow(/cannot hold/);
    expect(disk.readsZeros(16, 8)).toBe(true); // refused before any byte moved
    disk.close();
  });

  it("knows a freshly sparse image reads as zeros from the LBA it is told, and only from there", () => {
    const file = imageFile(64);
    behindTheBack(file, 16, 0x42);
    const disk = FileBlockDevice.open(file, { zeroFromLba: 12 });
    expect(disk.readsZeros(0, 8)).toBe(false);
    expect(disk.readsZeros(8, 8)).toBe(false); // block 1 starts before LBA 12
    expect(disk.readsZeros(16, 48)).toBe(true);
    expect(() => disk.readsZeros(60, 8)).toThrow(/past the end/);
    disk.close();
  });
});

describe("PlainBlockDevice", () => {
  it("makes every transfer: zeros are written, and no read is waived, where the device it wraps knows them", () => {
    const file = imageFile(16);
    const disk = new PlainBlockDevice(FileBlockDevice.open(file, { zeroFromLba: 0 }));
    behindTheBack(file, 8, 0x33);
    expect(disk.readsZeros(8, 8)).toBe(false);
    disk.writeZeroes(8, 8);
    expect(fileBytes(file, 8, 1).every((b) => b === 0)).toBe(true);
    disk.close();
  });
});

describe("FaultyBlockDevice", () => {
  it("fails exactly the Nth write from now and leaves the medium untouched", () => {
    const inner = new MemoryBlockDevice(64);
    const disk = new FaultyBlockDevice(inner).failNthWrite(2);
    disk.write(0, 1, pattern(1, 1));
    expect(() => disk.write(8, 8, pattern(8, 2))).toThrow(/write of LBA 8\.\.15 failed \(injected fault\)/);
    disk.write(8, 8, pattern(8, 3));
    expect(disk.writes).toBe(3);
    expect(disk.failedWrites).toBe(1);
    const back = new Uint8Array(8 * SECTOR_SIZE);
    disk.read(8, 8, back);
    expect(back).toEqual(pattern(8, 3));
  });

  it("fails the Nth read, leaving the caller's buffer as it was", () => {
    const disk = new FaultyBlockDevice(new MemoryBlockDevice(8)).failNthRead(1);
    const buffer = new Uint8Array(SECTOR_SIZE).fill(0x5a);
    expect(() => disk.read(0, 1, buffer)).toThrow(DiskIoError);
    expect(buffer.every((b) => b === 0x5a)).toBe(true);
    disk.read(0, 1, buffer);
    expect(buffer.every((b) => b === 0)).toBe(true);
    expect(disk.failedReads).toBe(1);
  });

  it("fails transfers that touch given sectors, as often as asked, and heals", () => {
    const disk = new FaultyBlockDevice(new MemoryBlockDevice(64)).failReadsTo(16, 8, { times: 2 }).failWritesTo(40);
    const buffer = new Uint8Array(8 * SECTOR_SIZE);
    disk.read(8, 8, buffer);
    expect(() => disk.read(20, 1, buffer)).toThrow(DiskIoError);
    expect(() => disk.read(12, 8, buffer)).toThrow(DiskIoError);
    disk.read(16, 8, buffer);
    expect(() => disk.write(40, 8, buffer)).toThrow(DiskIoError);
    expect(() => disk.write(33, 8, buffer)).toThrow(DiskIoError);
    disk.write(32, 8, buffer);
    disk.heal();
    disk.write(40, 8, buffer);
    expect(disk.failedReads).toBe(2);
    expect(disk.failedWrites).toBe(2);
  });

  it("can tear a failing write: the leading half reaches the medium", () => {
    const inner = new MemoryBlockDevice(16);
    const disk = new FaultyBlockDevice(inner).failAllWrites({ torn: true });
    expect(() => disk.write(0, 8, pattern(8, 9))).toThrow(/4 sectors written/);
    const back = new Uint8Array(8 * SECTOR_SIZE);
    inner.read(0, 8, back);
    expect(back.subarray(0, 4 * SECTOR_SIZE)).toEqual(pattern(8, 9).subarray(0, 4 * SECTOR_SIZE));
    expect(back.subarray(4 * SECTOR_SIZE).every((b) => b === 0)).toBe(true);
  });

  it("counts a WRITE ZEROES as a write and fails it by the same rules, torn or not", () => {
    const inner = new MemoryBlockDevice(32);
    inner.write(0, 32, pattern(32, 4));
    const disk = new FaultyBlockDevice(inner).failNthWrite(2).failWritesTo(24, 8, { torn: true });
    disk.writeZeroes(0, 8);
    expect(() => disk.writeZeroes(8, 8)).toThrow(/write of LBA 8\.\.15 failed \(injected fault\)/);
    expect(() => disk.writeZeroes(24, 8)).toThrow(/4 sectors written/);
    expect(disk.writes).toBe(3);
    expect(disk.failedWrites).toBe(2);
    const back = inner.toBytes();
    expect(back.subarray(0, 8 * SECTOR_SIZE).every((b) => b === 0)).toBe(true);
    expect(back.subarray(8 * SECTOR_SIZE, 24 * SECTOR_SIZE)).toEqual(pattern(32, 4).subarray(8 * SECTOR_SIZE, 24 * SECTOR_SIZE));
    expect(back.subarray(24 * SECTOR_SIZE, 28 * SECTOR_SIZE).every((b) => b === 0)).toBe(true);
    expect(back.subarray(28 * SECTOR_SIZE)).toEqual(pattern(32, 4).subarray(28 * SECTOR_SIZE));
  });

  it("never claims zeros, so every read meets the rules", () => {
    const disk = new FaultyBlockDevice(new MemoryBlockDevice(16)).failNthRead(1);
    expect(disk.readsZeros(0, 8)).toBe(false);
    expect(() => disk.read(0, 8, new Uint8Array(8 * SECTOR_SIZE))).toThrow(DiskIoError);
  });

  it("passes name, size and range errors of the device it wraps", () => {
    const disk = new FaultyBlockDevice(new MemoryBlockDevice(4, "swap0"));
    expect(disk.name).toBe("swap0");
    expect(disk.sectorCount).toBe(4);
    expect(() => disk.read(4, 1, new Uint8Array(SECTOR_SIZE))).toThrow(/swap0: read of LBA 4 is past the end/);
  });
});

describe("both backings agree with a plain byte array under any sequence of transfers", () => {
  const SECTORS = 40;
  const opArb = fc.record({
    op: fc.constantFrom("read", "write", "zeroes"),
    lba: fc.integer({ min: 0, max: SECTORS - 1 }),
    count: fc.integer({ min: 1, max: 12 }),
    seed: fc.integer({ min: 0, max: 255 }),
  });

  it("reads return the last bytes written to each sector; out-of-range transfers throw and change nothing", () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30, size: "max" }), (ops) => {
        const model = new Uint8Array(SECTORS * SECTOR_SIZE);
        const files = [imageFile(SECTORS, `p${run++}.img`), imageFile(SECTORS, `p${run++}.img`)];
        const devices = [new MemoryBlockDevice(SECTORS), FileBlockDevice.open(files[0]), FileBlockDevice.open(files[1], { zeroFromLba: 0 })];
        for (const op of ops) {
          const inRange = op.lba + op.count <= SECTORS;
          const data = op.op === "zeroes" ? new Uint8Array(op.count * SECTOR_SIZE) : pattern(op.count, op.seed);
          const range = (): Uint8Array => model.subarray(op.lba * SECTOR_SIZE, (op.lba + op.count) * SECTOR_SIZE);
          if (op.op !== "read" && inRange) model.set(data, op.lba * SECTOR_SIZE);
          for (const d of devices) {
            const out = new Uint8Array(op.count * SECTOR_SIZE);
            const transfer = (): void => {
              if (op.op === "read") d.read(op.lba, op.count, out);
              else if (op.op === "write") d.write(op.lba, op.count, data);
              else d.writeZeroes(op.lba, op.count);
            };
            if (!inRange) {
              expect(transfer).toThrow(DiskIoError);
              expect(() => d.readsZeros(op.lba, op.count)).toThrow(DiskIoError);
              continue;
            }
            transfer();
            if (op.op === "read") expect(sameBytes(out, range())).toBe(true);
            if (d.readsZeros(op.lba, op.count)) expect(range().every((b) => b === 0)).toBe(true);
          }
        }
        for (const d of devices) {
          const all = new Uint8Array(SECTORS * SECTOR_SIZE);
          d.read(0, SECTORS, all);
          expect(sameBytes(all, model)).toBe(true);
          d.close();
        }
        // What the host holds, not only what the devices say: nothing skipped left a byte behind.
        for (const f of files) expect(sameBytes(new Uint8Array(fs.readFileSync(f)), model)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
