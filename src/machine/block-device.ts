/**
 * A block device of 512-byte sectors. Backings: a raw image file, read and
 * written with positional I/O (never loaded whole, file-block-device.ts),
 * memory, for tests (memory-block-device.ts), and a wrapper that injects
 * failures (faulty-block-device.ts), for proving that swap loses nothing.
 */

import { InputError } from "./input-error.js";

export const SECTOR_SIZE = 512;

export interface BlockDevice {
  /** What to call the device in messages: the image path, or "memory". */
  readonly name: string;
  /** Sectors on the device. */
  readonly sectorCount: number;
  /** Reads `count` sectors from `lba` into `buffer` at `offset`; throws DiskIoError on failure. */
  read(lba: number, count: number, buffer: Uint8Array, offset?: number): void;
  /** Writes `count` sectors from `buffer` (at `offset`) to `lba`; throws DiskIoError on failure. */
  write(lba: number, count: number, buffer: Uint8Array, offset?: number): void;
  /**
   * Writes zeros to `count` sectors from `lba` (a disk's WRITE ZEROES
   * command: no data to transfer); throws DiskIoError on failure.
   */
  writeZeroes(lba: number, count: number): void;
  /**
   * True when the device knows sectors `lba`..`lba+count-1` hold only zeros
   * (never written, or last written with zeros), so a read of them can be
   * skipped; false when it does not know. Throws DiskIoError for a range
   * off the device.
   */
  readsZeros(lba: number, count: number): boolean;
  /** Forces written data to the medium (no-op in memory). */
  flush(): void;
  close(): void;
}

/** A failed transfer: out of range, or the host's I/O failed. */
export class DiskIoError extends InputError {
  override name = "DiskIoError";
  constructor(detail: string, options?: ErrorOptions) {
    super(detail, undefined, options);
  }
}

/** An image or partition table that is not what it claims to be; the message names the file. */
export class DiskFormatError extends InputError {
  override name = "DiskFormatError";
}

/**
 * Throws DiskIoError unless sectors `lba`..`lba+count-1` lie on a device of
 * `sectorCount` sectors and `buffer` holds `count` sectors from `offset`.
 */
export function checkTransfer(
  device: { readonly name: string; readonly sectorCount: number },
  op: "read" | "write",
  lba: number,
  count: number,
  buffer: Uint8Array,
  offset: number,
): void {
  checkRange(device, op, lba, count);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + count * SECTOR_SIZE > buffer.length) {
    throw new DiskIoError(
      `${device.name}: ${op} of LBA ${sectorRange(lba, count)}: buffer of ${buffer.length} bytes ` +
        `cannot hold ${count * SECTOR_SIZE} bytes at offset ${offset}`,
    );
  }
}

/** Throws DiskIoError unless sectors `lba`..`lba+count-1` lie on a device of `sectorCount` sectors. */
export function checkRange(
  device: { readonly name: string; readonly sectorCount: number },
  op: "read" | "write",
  lba: number,
  count: number,
): void {
  if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0) {
    throw new DiskIoError(`${device.name}: ${op} of ${count} sectors at LBA ${lba}: not a sector range`);
  }
  if (lba + count > device.sectorCount) {
    throw new DiskIoError(
      `${device.name}: ${op} of LBA ${sectorRange(lba, count)} is past the end of the device ` +
        `(${device.sectorCount} sectors, LBA 0..${device.sectorCount - 1})`,
    );
  }
}

/** "2048..2055" for 8 sectors from 2048; "2048" for one. */
export function sectorRange(lba: number, count: number): string {
  return count <= 1 ? String(lba) : `${lba}..${lba + count - 1}`;
}

/** A device that hands every call to the one it wraps; a wrapper overrides what it changes. */
export class BlockDeviceWrapper implements BlockDevice {
  readonly inner: BlockDevice;

  constructor(inner: BlockDevice) {
    this.inner = inner;
  }

  get name(): string {
    return this.inner.name;
  }

  get sectorCount(): number {
    return this.inner.sectorCount;
  }

  read(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.inner.read(lba, count, buffer, offset);
  }

  write(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.inner.write(lba, count, buffer, offset);
  }

  writeZeroes(lba: number, count: number): void {
    this.inner.writeZeroes(lba, count);
  }

  readsZeros(lba: number, count: number): boolean {
    return this.inner.readsZeros(lba, count);
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void {
    this.inner.close();
  }
}
