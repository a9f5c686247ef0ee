/**
 * A block device over a raw disk image file. A transfer is one positional
 * read or write (pread/pwrite) at lba * 512: the image is never loaded
 * whole, so a sparse 64 GiB image costs the host only the sectors the
 * simulation actually moves. Zeros written over 4 KiB blocks known to hold
 * zeros make no system call at all, and `readsZeros` tells a caller which
 * reads it need not make (zero-blocks.ts). Nothing is ever held back: the image holds every
 * write's bytes as soon as the write returns, so an interrupted run leaves
 * it as a run without the shortcut would have.
 */

import * as fs from "node:fs";
import {
  type BlockDevice,
  DiskFormatError,
  DiskIoError,
  SECTOR_SIZE,
  checkRange,
  checkTransfer,
  sectorRange,
} from "./block-device.js";
import { describeFileType } from "./host-file.js";
import { SECTORS_PER_BLOCK, ZeroBlocks } from "./zero-blocks.js";

/** What writeZeroes sends for a block not known to be zero. */
const ZERO_BLOCK = new Uint8Array(SECTORS_PER_BLOCK * SECTOR_SIZE);

export interface FileBlockDeviceOptions {
  /** Open the image read-only; writes then fail with DiskIoError. */
  readonly readOnly?: boolean;
  /**
   * Every sector from this LBA on reads as zero (an image its caller has
   * just made sparse): transfers of zeros there need no system call.
   */
  readonly zeroFromLba?: number;
}

export class FileBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  private fd: number;
  /** False for a descriptor lent by its owner (borrow): close() then leaves it open. */
  private readonly owned: boolean;
  /** Blocks known to hold zeros: written with zeros by this device, or sparse from the start. */
  private readonly zeros = new ZeroBlocks();

  private constructor(path: string, fd: number, sectorCount: number, readOnly: boolean, owned = true) {
    this.name = path;
    this.fd = fd;
    this.sectorCount = sectorCount;
    this.readOnly = readOnly;
    this.owned = owned;
  }

  /**
   * A read-write device over an open regular file of `sectorCount` sectors
   * that its owner keeps (a disk image being made under a temporary name):
   * close() stops using the descriptor without closing it.
   */
  static borrow(fd: number, name: string, sectorCount: number): FileBlockDevice {
    return new FileBlockDevice(name, fd, sectorCount, false, false);
  }

  /**
   * Opens an existing image (read-write unless `readOnly`). Throws the host's
   * error if it cannot be opened, DiskFormatError if it is not a regular file
   * whose size is a multiple of 512 bytes.
   */
  static open(path: string, options: FileBlockDeviceOptions = {}): FileBlockDevice {
    const readOnly = options.readOnly ?? false;
    // Non-blocking: a FIFO is refused below instead of waiting for a writer (the flag does nothing to a regular file).
    const fd = fs.openSync(path, (readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR) | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new DiskFormatError(`${path}: ${describeFileType(stat)}; a disk image is a regular file`);
      if (stat.size % SECTOR_SIZE !== 0) {
        throw new DiskFormatError(
          `${path}: image size ${stat.size} bytes is not a multiple of 512 (a whole number of sectors)`,
        );
      }
      const device = new FileBlockDevice(path, fd, stat.size / SECTOR_SIZE, readOnly);
      if (options.zeroFromLba !== undefined) device.knowZeros(options.zeroFromLba);
      return device;
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  read(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkOpen();
    checkTransfer(this, "read", lba, count, buffer, offset);
    this.readSectors(lba, count, buffer, offset);
  }

  write(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkWritable(lba, count);
    checkTransfer(this, "write", lba, count, buffer, offset);
    // Forgotten before the write: a failed one may leave anything there.
    if (count > 0) this.zeros.forget(Math.floor(lba / SECTORS_PER_BLOCK), Math.floor((lba + count - 1) / SECTORS_PER_BLOCK));
    this.writeSectors(lba, count, buffer, offset);
  }

  /** Writes zeros block by block, skipping the blocks known to hold zeros already. */
  writeZeroes(lba: number, count: number): void {
    this.checkWritable(lba, count);
    checkRange(this, "write", lba, count);
    const end = lba + count;
    for (let s = lba; s < end; ) {
      const block = Math.floor(s / SECTORS_PER_BLOCK);
      const n = Math.min((block + 1) * SECTORS_PER_BLOCK, end) - s;
      if (!this.zeros.has(block)) {
        this.writeSectors(s, n, ZERO_BLOCK, 0);
        if (n === SECTORS_PER_BLOCK) this.zeros.add(block);
      }
      s += n;
    }
  }

  readsZeros(lba: number, count: number): boolean {
    this.checkOpen();
    checkRange(this, "read", lba, count);
    return this.knownZero(lba, count);
  }

  /** True when every block sectors `lba`..`lba+count-1` touch is known to hold zeros. */
  private knownZero(lba: number, count: number): boolean {
    const last = Math.floor((lba + count - 1) / SECTORS_PER_BLOCK);
    for (let b = Math.floor(lba / SECTORS_PER_BLOCK); b <= last; b++) if (!this.zeros.has(b)) return false;
    return true;
  }

  /** Sectors `lba`.. from the file into `buffer`; throws DiskIoError naming them. */
  private readSectors(lba: number, count: number, buffer: Uint8Array, offset: number): void {
    const length = count * SECTOR_SIZE;
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buffer, offset + done, length - done, lba * SECTOR_SIZE + done);
      } catch (e) {
        throw this.hostError("read", lba, count, e);
      }
      if (n === 0) {
        throw new DiskIoError(`${this.name}: read of LBA ${sectorRange(lba, count)} ended early (image truncated?)`);
      }
      done += n;
    }
  }

  /** Sectors `lba`.. from `buffer` to the file; throws DiskIoError naming them. */
  private writeSectors(lba: number, count: number, buffer: Uint8Array, offset: number): void {
    const length = count * SECTOR_SIZE;
    let done = 0;
    while (done < length) {
      try {
        done += fs.writeSync(this.fd, buffer, offset + done, length - done, lba * SECTOR_SIZE + done);
      } catch (e) {
        throw this.hostError("write", lba, count, e);
      }
    }
  }

  /** Sectors from `lba` to the end read as zero. */
  private knowZeros(lba: number): void {
    const blocks = Math.floor(this.sectorCount / SECTORS_PER_BLOCK);
    const first = Math.ceil(Math.max(lba, 0) / SECTORS_PER_BLOCK);
    if (first < blocks) this.zeros.addRange(first, blocks - 1);
  }

  flush(): void {
    this.checkOpen();
    if (this.readOnly) return;
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      throw this.hostError("flush", 0, 0, e);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.owned) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** The host's failure of `op` as a DiskIoError that names the sectors. */
  private hostError(op: string, lba: number, count: number, e: unknown): DiskIoError {
    const reason = e instanceof Error ? e.message : String(e);
    const where = count > 0 ? ` of LBA ${sectorRange(lba, count)}` : "";
    return new DiskIoError(`${this.name}: ${op}${where} failed: ${reason}`, { cause: e });
  }

  /** Throws DiskIoError if the device is closed or read-only. */
  private checkWritable(lba: number, count: number): void {
    this.checkOpen();
    if (this.readOnly) throw new DiskIoError(`${this.name}: write of LBA ${sectorRange(lba, count)}: opened read-only`);
  }

  private checkOpen(): void {
    if (this.fd < 0) throw new DiskIoError(`${this.name}: device is closed`);
  }
}
