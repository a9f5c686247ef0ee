/**
 * A block device in host memory, for tests. Sparse like an image file made
 * with ftruncate: sectors never written read as zero and cost nothing, so a
 * test can have a 64 MiB swap disk for the price of the pages it swaps.
 */

import { type BlockDevice, DiskIoError, SECTOR_SIZE, checkRange, checkTransfer } from "./block-device.js";

/** Sectors per backing chunk (one 4 KiB page, a swap slot). */
const CHUNK_SECTORS = 8;
const CHUNK_BYTES = CHUNK_SECTORS * SECTOR_SIZE;

export class MemoryBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorCount: number;
  /** Chunk index -> its bytes; absent chunks are all zero. */
  private readonly chunks = new Map<number, Uint8Array>();
  private closed = false;

  /** An all-zero device of `sectorCount` sectors. */
  constructor(sectorCount: number, name = "memory") {
    if (!Number.isSafeInteger(sectorCount) || sectorCount < 0) {
      throw new DiskIoError(`${name}: ${sectorCount} is not a sector count`);
    }
    this.sectorCount = sectorCount;
    this.name = name;
  }

  /** A device holding a copy of `image`, whose length must be a multiple of 512. */
  static fromBytes(image: Uint8Array, name = "memory"): MemoryBlockDevice {
    if (image.length % SECTOR_SIZE !== 0) {
      throw new DiskIoError(`${name}: image of ${image.length} bytes is not a whole number of 512-byte sectors`);
    }
    const device = new MemoryBlockDevice(image.length / SECTOR_SIZE, name);
    for (let lba = 0; lba < device.sectorCount; lba += CHUNK_SECTORS) {
      const count = Math.min(CHUNK_SECTORS, device.sectorCount - lba);
      const bytes = image.subarray(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE);
      if (bytes.some((b) => b !== 0)) device.write(lba, count, bytes);
    }
    return device;
  }

  /** The whole device as one byte array (for tests and small images). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.sectorCount * SECTOR_SIZE);
    this.read(0, this.sectorCount, out);
    return out;
  }

  /** Host bytes held by written chunks. */
  get hostBytes(): number {
    return this.chunks.size * CHUNK_BYTES;
  }

  read(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkOpen();
    checkTransfer(this, "read", lba, count, buffer, offset);
    for (let i = 0; i < count; i++) {
      const sector = lba + i;
      const chunk = this.chunks.get(Math.floor(sector / CHUNK_SECTORS));
      const dst = offset + i * SECTOR_SIZE;
      if (chunk === undefined) {
        buffer.fill(0, dst, dst + SECTOR_SIZE);
      } else {
        const src = (sector % CHUNK_SECTORS) * SECTOR_SIZE;
        buffer.set(chunk.subarray(src, src + SECTOR_SIZE), dst);
      }
    }
  }

  write(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkOpen();
    checkTransfer(this, "write", lba, count, buffer, offset);
    for (let i = 0; i < count; i++) {
      const sector = lba + i;
      const key = Math.floor(sector / CHUNK_SECTORS);
      let chunk = this.chunks.get(key);
      if (chunk === undefined) {
        chunk = new Uint8Array(CHUNK_BYTES);
        this.chunks.set(key, chunk);
      }
      const src = offset + i * SECTOR_SIZE;
      chunk.set(buffer.subarray(src, src + SECTOR_SIZE), (sector % CHUNK_SECTORS) * SECTOR_SIZE);
    }
  }

  /** Whole chunks of zeros are dropped (the device stays sparse); parts of one are cleared. */
  writeZeroes(lba: number, count: number): void {
    this.checkOpen();
    checkRange(this, "write", lba, count);
    const end = lba + count;
    for (let s = lba; s < end; ) {
      const key = Math.floor(s / CHUNK_SECTORS);
      const n = Math.min((key + 1) * CHUNK_SECTORS, end) - s;
      if (n === CHUNK_SECTORS) this.chunks.delete(key);
      else {
        const from = (s % CHUNK_SECTORS) * SECTOR_SIZE;
        this.chunks.get(key)?.fill(0, from, from + n * SECTOR_SIZE);
      }
      s += n;
    }
  }

  /** True when no chunk the sectors lie in was ever written (or all were zeroed whole since). */
  readsZeros(lba: number, count: number): boolean {
    this.checkOpen();
    checkRange(this, "read", lba, count);
    const last = Math.floor((lba + count - 1) / CHUNK_SECTORS);
    for (let key = Math.floor(lba / CHUNK_SECTORS); key <= last; key++) if (this.chunks.has(key)) return false;
    return true;
  }

  flush(): void {
    this.checkOpen();
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new DiskIoError(`${this.name}: device is closed`);
  }
}
