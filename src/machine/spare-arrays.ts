/**
 * Large zeroed Int32Arrays handed from a user that is done with one to the
 * next that needs one of the same length. A fresh array costs its zeroing
 * (glibc's calloc zeroes heap memory once a freed block has raised its mmap
 * threshold) and, in V8, the collector's work for its external memory; some
 * users build and drop thousands: a TLB's 8 MiB state per simulated machine
 * (Tlb.release), a policy replay's page table per frame count
 * (PolicyReplay.recycle).
 *
 * The giver promises the array is all zero and that it no longer uses it.
 * The SPARES latest are kept, each at most MAX_WORDS (a TLB's state), so
 * what waits here stays under 40 MiB.
 */

const SPARES = 4;
const MAX_WORDS = (1 << 21) + (1 << 16);
/** Latest last. */
const spares: Int32Array[] = [];

/** An all-zero Int32Array of `length` words: the latest spare of that length, or a new one. */
export function zeroedInt32Array(length: number): Int32Array {
  const at = spares.findLastIndex((a) => a.length === length);
  return at >= 0 ? spares.splice(at, 1)[0] : new Int32Array(length);
}

/** Keeps `array` (all zero, unused from now on) for zeroedInt32Array, unless it is larger than a spare may be. */
export function giveBackZeroed(array: Int32Array): void {
  if (array.length > MAX_WORDS) return;
  if (spares.length >= SPARES) spares.shift();
  spares.push(array);
}
