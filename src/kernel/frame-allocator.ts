/**
 * The physical frame allocator (seed part 2): a bitmap with one bit per
 * frame (1 = used), a free count and a search hint (a word index).
 *
 * Unlike the seed, the search covers every frame, including those of a last,
 * partial bitmap word (defect 10), and takes an upper bound so the kernel can
 * ask for a frame its KERNEL_BASE alias reaches. Eviction is not done here:
 * callers that may evict (user-frames.ts) ask again after reclaiming.
 */

export class FrameAllocator {
  /** Frames tracked (the bitmap covers frames 0..totalFrames-1). */
  readonly totalFrames: number;
  private readonly bitmap: Int32Array;
  private free: number;
  private hint = 0;

  constructor(totalFrames: number) {
    this.totalFrames = totalFrames;
    this.bitmap = new Int32Array(Math.ceil(totalFrames / 32));
    this.free = totalFrames;
    // Bits past the last frame are set, so a search never hands them out.
    const tail = totalFrames % 32;
    if (tail !== 0) this.bitmap[this.bitmap.length - 1] = ~((1 << tail) - 1);
  }

  get freeFrames(): number {
    return this.free;
  }

  /** Bitmap word `w`: frames 32w..32w+31, a set bit for a used frame (for checks that compare 32 frames at once). */
  usedWord(w: number): number {
    return this.bitmap[w];
  }

  /** True when frame `pfn` is in use (frames outside the bitmap count as used). */
  isUsed(pfn: number): boolean {
    if (pfn < 0 || pfn >= this.totalFrames) return true;
    return (this.bitmap[pfn >>> 5] & (1 << (pfn & 31))) !== 0;
  }

  /** Allocates one frame below `limit` (default: any); returns its number or -1. */
  alloc(limit = this.totalFrames): number {
    if (this.free === 0) return -1;
    const bm = this.bitmap;
    const words = Math.min(bm.length, (limit + 31) >>> 5);
    let w = this.hint < words ? this.hint : 0;
    for (let n = 0; n < words; n++, w++) {
      if (w === words) w = 0;
      const word = bm[w];
      if (word === -1) continue;
      const bit = 31 - Math.clz32(~word & (word + 1));
      const pfn = (w << 5) | bit;
      if (pfn >= limit) continue;
      bm[w] = word | (1 << bit);
      this.free--;
      this.hint = w;
      return pfn;
    }
    return -1;
  }

  /** Returns frame `pfn` to the free pool; false if it was not in use. */
  freeFrame(pfn: number): boolean {
    if (pfn < 0 || pfn >= this.totalFrames) return false;
    const w = pfn >>> 5;
    const mask = 1 << (pfn & 31);
    if ((this.bitmap[w] & mask) === 0) return false;
    this.bitmap[w] &= ~mask;
    this.free++;
    if (w < this.hint) this.hint = w;
    return true;
  }

  /** Marks frame `pfn` used if it was free; false if it already was (or is out of range). */
  reserve(pfn: number): boolean {
    if (pfn < 0 || pfn >= this.totalFrames) return false;
    const w = pfn >>> 5;
    const mask = 1 << (pfn & 31);
    if ((this.bitmap[w] & mask) !== 0) return false;
    this.bitmap[w] |= mask;
    this.free--;
    return true;
  }

  /** Reserves every frame touching bytes [start, end); returns the frames newly reserved. */
  reserveBytes(start: number, end: number): number[] {
    const reserved: number[] = [];
    if (end <= start) return reserved;
    const last = Math.min(Math.ceil(end / 4096), this.totalFrames);
    for (let pfn = Math.floor(start / 4096); pfn < last; pfn++) if (this.reserve(pfn)) reserved.push(pfn);
    return reserved;
  }

  /**
   * Allocates `count` physically contiguous frames below `limit` (for DMA and
   * kmallocAligned); returns the first frame number or -1. A linear scan, as
   * in the seed: rare and off the per-access path.
   */
  allocContiguous(count: number, limit = this.totalFrames): number {
    if (count <= 0 || count > this.free) return -1;
    let runStart = 0;
    let run = 0;
    for (let pfn = 0; pfn < Math.min(limit, this.totalFrames); pfn++) {
      if (this.isUsed(pfn)) {
        run = 0;
        continue;
      }
      if (run === 0) runStart = pfn;
      if (++run === count) {
        for (let f = runStart; f < runStart + count; f++) this.reserve(f);
        return runStart;
      }
    }
    return -1;
  }

  /** Counts free frames by scanning the bitmap (for the invariant checker). */
  countFree(): number {
    let used = 0;
    for (let w = 0; w < this.bitmap.length; w++) used += popcount(this.bitmap[w]);
    // Padding bits past the last frame are set and counted as used.
    return this.bitmap.length * 32 - used;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
