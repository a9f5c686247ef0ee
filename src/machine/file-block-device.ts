/**
 * A block device over a raw disk image file. Every transfer is one
 * positional read or write (pread/pwrite) at lba * 512: the image is never
 * loaded whole, so a sparse 64 GiB image costs the host only the sectors
 * the simulation actually moves.
 */

import * as fs from "node:fs";
import {
  type BlockDevice,
  DiskFormatError,
  DiskIoError,
  SECTOR_SIZE,
  checkTransfer,
  sectorRange,
} from "./block-device.js";
import { describeFileType } from "./host-file.js";

export interface FileBlockDeviceOptions {
  /** Open the image read-only; writes then fail with DiskIoError. */
  readonly readOnly?: boolean;
}

export class FileBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  private fd: number;
  /** False for a descriptor lent by its owner (borrow): close() then leaves it open. */
  private readonly owned: boolean;

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
      return new FileBlockDevice(path, fd, stat.size / SECTOR_SIZE, readOnly);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  read(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkOpen();
    checkTransfer(this, "read", lba, count, buffer, offset);
    const length = count * SECTOR_SIZE;
    let done = 0;
    while (done < length) {
      const n = this.hostIo("read", lba, count, () =>
        fs.readSync(this.fd, buffer, offset + done, length - done, lba * SECTOR_SIZE + done),
      );
      if (n === 0) {
        throw new DiskIoError(`${this.name}: read of LBA ${sectorRange(lba, count)} ended early (image truncated?)`);
      }
      done += n;
    }
  }

  write(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.checkOpen();
    checkTransfer(this, "write", lba, count, buffer, offset);
    if (this.readOnly) throw new DiskIoError(`${this.name}: write of LBA ${sectorRange(lba, count)}: opened read-only`);
    const length = count * SECTOR_SIZE;
    let done = 0;
    while (done < length) {
      done += this.hostIo("write", lba, count, () =>
        fs.writeSync(this.fd, buffer, offset + done, length - done, lba * SECTOR_SIZE + done),
      );
    }
  }

  flush(): void {
    this.checkOpen();
    if (!this.readOnly) this.hostIo("flush", 0, 0, () => fs.fdatasyncSync(this.fd));
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.owned) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Runs one host call, turning its failure into a DiskIoError that names the sectors. */
  private hostIo<T>(op: string, lba: number, count: number, call: () => T): T {
    try {
      return call();
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const where = count > 0 ? ` of LBA ${sectorRange(lba, count)}` : "";
      throw new DiskIoError(`${this.name}: ${op}${where} failed: ${reason}`, { cause: e });
    }
  }

  private checkOpen(): void {
    if (this.fd < 0) throw new DiskIoError(`${this.name}: device is closed`);
  }
}
