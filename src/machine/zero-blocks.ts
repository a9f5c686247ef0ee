/**
 * Which 4 KiB blocks of a disk image are known to hold only zeros, so that
 * the image's block device (file-block-device.ts) can skip the system call
 * for a transfer that would change nothing: zeros written over zeros, a
 * read of zeros. A replayed trace carries no data, so every page it swaps
 * is a page of zeros; without this each of its swap faults paid a pwrite
 * and a pread for bytes the image already held.
 *
 * Linux (6.12) skips zero-filled pages at swap-out too, with a bitmap per
 * swap device (the zeromap), but leaves the slot's old bytes on the disk.
 * Here a block is known to be zero only when the device itself wrote zeros
 * there (or made the image sparse), so the image ends up with the very
 * bytes every transfer would have written.
 *
 * The bits live in chunks made on first use: a 2 TiB image costs only the
 * chunks of the blocks the run touches.
 */

/** Sectors per block: one page, one swap slot. */
export const SECTORS_PER_BLOCK = 8;
/** Blocks per chunk of bits (4 GiB of disk in 128 KiB). */
const CHUNK_BLOCKS = 1 << 20;
const CHUNK_MASK = CHUNK_BLOCKS - 1;

export class ZeroBlocks {
  /** Chunk index -> a bit per block (1: known zero); null until a block in it is known. */
  private readonly chunks: (Int32Array | null)[] = [];

  /** True when block `block` is known to hold only zeros. */
  has(block: number): boolean {
    const chunk = this.chunks[Math.floor(block / CHUNK_BLOCKS)];
    if (chunk === undefined || chunk === null) return false;
    const bit = block & CHUNK_MASK;
    return (chunk[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  /** Block `block` now holds only zeros. */
  add(block: number): void {
    const bit = block & CHUNK_MASK;
    this.chunkOf(block)[bit >>> 5] |= 1 << (bit & 31);
  }

  /** Blocks `first`..`last` are known zero (an image just made sparse). */
  addRange(first: number, last: number): void {
    for (let b = first; b <= last; b++) {
      const bit = b & CHUNK_MASK;
      if ((bit & 31) === 0 && b + 31 <= last) {
        this.chunkOf(b)[bit >>> 5] = -1; // a whole word at a time
        b += 31;
      } else {
        this.add(b);
      }
    }
  }

  /** Blocks `first`..`last` may now hold anything (about to be written with data, or written in part). */
  forget(first: number, last: number): void {
    for (let b = first; b <= last; b++) {
      const chunk = this.chunks[Math.floor(b / CHUNK_BLOCKS)];
      if (chunk === undefined || chunk === null) {
        b += CHUNK_MASK - (b & CHUNK_MASK); // nothing known in this chunk: on to the next
        continue;
      }
      const bit = b & CHUNK_MASK;
      chunk[bit >>> 5] &= ~(1 << (bit & 31));
    }
  }

  /** The bits of `block`'s chunk, made on first use. */
  private chunkOf(block: number): Int32Array {
    const c = Math.floor(block / CHUNK_BLOCKS);
    while (this.chunks.length <= c) this.chunks.push(null);
    let chunk = this.chunks[c];
    if (chunk === null) {
      chunk = new Int32Array(CHUNK_BLOCKS >>> 5);
      this.chunks[c] = chunk;
    }
    return chunk;
  }
}
