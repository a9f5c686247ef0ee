/**
 * Swapping pages of zeros on a user's image: the image device skips the
 * transfers that would change nothing (zero-blocks.ts), and a run must not
 * be able to tell. The same seeded run on the image and on a disk that
 * transfers every page (the device before the shortcut) ends with the same
 * counts, the same bytes read, and the same image, byte for byte.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SECTOR_SIZE } from "../../src/machine/block-device.js";
import { createDiskImage } from "../../src/machine/disk-image.js";
import { ACCESS } from "../../src/machine/i386.js";
import { MemoryBlockDevice } from "../../src/machine/memory-block-device.js";
import { PlainBlockDevice } from "../../src/machine/plain-block-device.js";
import { MIB } from "../../src/machine/units.js";
import { USER_HEAP_BASE } from "../../src/kernel/layout.js";
import { System, type SystemConfig } from "../../src/sim/system.js";

const PAGES = 1400;

/**
 * A seeded mix over a heap larger than RAM: pages written with data, pages
 * only read (zeros), pages whose data is overwritten with zeros again.
 * Returns every byte read, in order, and the run's counts.
 */
function run(config: Partial<SystemConfig>): { reads: number[]; stats: string } {
  const s = System.create({ ramBytes: 4 * MIB, checkInvariants: false, ...config });
  try {
    const pid = s.spawn() as number;
    expect(s.brk(pid, USER_HEAP_BASE + PAGES * 4096)).toBe(true);
    const reads: number[] = [];
    /** Steps whose write or access failed (expected none): one expect at the end, not one a step. */
    const failed: number[] = [];
    let x = 2026;
    const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 1);
    for (let step = 0; step < 12_000; step++) {
      const va = USER_HEAP_BASE + (next() % PAGES) * 4096 + (next() % 1024) * 4;
      const what = next() % 8;
      let ok = true;
      if (what === 0) ok = s.writeBytes(pid, va & ~0xfff, new Uint8Array(4096).fill((step % 255) + 1));
      else if (what === 1) ok = s.writeBytes(pid, va & ~0xfff, new Uint8Array(4096));
      else if (what < 5) reads.push(s.read32(pid, va) as number);
      else ok = s.accessPage(pid, va, ACCESS.USER_READ);
      if (ok !== true) failed.push(step);
    }
    expect(failed).toEqual([]);
    return { reads, stats: JSON.stringify(s.stats()) };
  } finally {
    s.close();
  }
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-zero-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("swapping pages of zeros on a user's image", () => {
  it("ends with the counts, the bytes read and the image bytes of a disk that transfers every page", () => {
    const file = path.join(dir, "swap.img");
    createDiskImage(file, { sizeBytes: 5 * MIB, swapBytes: 4 * MIB, diskId: 1 });
    // Old bytes in every slot: a page of zeros must still reach each slot once.
    const fd = fs.openSync(file, "r+");
    fs.writeSync(fd, new Uint8Array(4 * MIB).fill(0xa5), 0, 4 * MIB, MIB);
    fs.closeSync(fd);
    const reference = new MemoryBlockDevice(fs.statSync(file).size / SECTOR_SIZE, "reference");
    reference.write(0, reference.sectorCount, fs.readFileSync(file));

    const onImage = run({ swapImage: file });
    const everyTransfer = run({ swapDevice: new PlainBlockDevice(reference) });

    expect(onImage.reads).toEqual(everyTransfer.reads);
    expect(onImage.stats).toEqual(everyTransfer.stats);
    const stats = JSON.parse(onImage.stats) as { vmstat: { pswpout: number; pswpin: number } };
    expect(stats.vmstat.pswpout).toBeGreaterThan(1000);
    expect(stats.vmstat.pswpin).toBeGreaterThan(1000);
    expect(onImage.reads.some((v) => v !== 0) && onImage.reads.some((v) => v === 0)).toBe(true);
    expect(Buffer.from(fs.readFileSync(file)).equals(Buffer.from(reference.toBytes()))).toBe(true);
  });
});
