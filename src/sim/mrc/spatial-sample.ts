/**
 * Spatial sampling (Waldspurger et al., FAST'15): a page is in the sample
 * when a hash of its number falls below a threshold, so every reference to
 * a sampled page is kept and a sample at rate R holds about R of the pages
 * with all of their references — the reuse pattern of each page intact.
 * The hash is MurmurHash3's 32-bit finaliser of page ^ seed: a bijection on
 * 32-bit words that mixes every input bit into every output bit.
 */

/** 2^32: the threshold that samples every page (rate 1). */
export const HASH_SPACE = 2 ** 32;

/** The page's 32-bit sampling hash under `seed` (unsigned). */
export function pageHash(page: number, seed: number): number {
  let h = (page ^ seed) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The threshold of sampling rate `rate` in (0, 1]: pages whose hash is below it are sampled. */
export function rateThreshold(rate: number): number {
  return Math.floor(rate * HASH_SPACE);
}

/** The pages of `pages` that are sampled (hash below `threshold`), appended to `out` from `at`; returns the new end. */
export function samplePages(pages: Int32Array, threshold: number, seed: number, out: Int32Array, at: number): number {
  let n = at;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i];
    if (pageHash(p, seed) < threshold) out[n++] = p;
  }
  return n;
}
