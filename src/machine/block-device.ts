/**
 * A block device of 512-byte sectors. Two backings: a raw image file, read
 * and written with positional I/O (never loaded whole), and memory, for tests.
 */

export const SECTOR_SIZE = 512;

export interface BlockDevice {
  /** Sectors on the device. */
  readonly sectorCount: number;
  /** Reads `count` sectors from `lba` into `buffer` at `offset`; throws DiskIoError on failure. */
  read(lba: number, count: number, buffer: Uint8Array, offset?: number): void;
  /** Writes `count` sectors from `buffer` (at `offset`) to `lba`; throws DiskIoError on failure. */
  write(lba: number, count: number, buffer: Uint8Array, offset?: number): void;
  /** Forces written data to the medium (no-op in memory). */
  flush(): void;
  close(): void;
}

/** A failed transfer: out of range, or the host's I/O failed. */
export class DiskIoError extends Error {
  override name = "DiskIoError";
}
