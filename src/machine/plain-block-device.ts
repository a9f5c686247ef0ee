/**
 * A block device with every transfer made: wrapped around another, it
 * sends WRITE ZEROES as a write of a page of zeros and never claims to
 * know a range reads as zeros, so each page the kernel swaps costs the
 * transfers it cost before devices learnt to skip the ones that change
 * nothing (zero-blocks.ts). Reference runs in tests, and the scale bench's
 * cost of a swap fault that moves its pages, use it.
 */

import { BlockDeviceWrapper, SECTOR_SIZE } from "./block-device.js";

export class PlainBlockDevice extends BlockDeviceWrapper {
  /** Zeros for WRITE ZEROES, grown to the largest count asked. */
  private zeros = new Uint8Array(8 * SECTOR_SIZE);

  /** A write of `count` sectors of zeros, as any other write. */
  override writeZeroes(lba: number, count: number): void {
    if (this.zeros.length < count * SECTOR_SIZE) this.zeros = new Uint8Array(count * SECTOR_SIZE);
    this.inner.write(lba, count, this.zeros);
  }

  /** Never: every read is made. */
  override readsZeros(_lba: number, _count: number): boolean {
    return false;
  }
}
