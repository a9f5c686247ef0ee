/**
 * Tiny, independent textbook simulators over a page reference string, to
 * check the VMM's fault counts against: plain Maps and arrays, no shared
 * code with vmm386's policies. Each returns misses (cold misses included)
 * with `frames` frames that start empty.
 */

export function fifoMisses(refs: readonly number[], frames: number): number {
  const resident = new Set<number>();
  const queue: number[] = [];
  let misses = 0;
  for (const p of refs) {
    if (resident.has(p)) continue;
    misses++;
    if (resident.size === frames) resident.delete(queue.shift() as number);
    resident.add(p);
    queue.push(p);
  }
  return misses;
}

export function lruMisses(refs: readonly number[], frames: number): number {
  const lastUse = new Map<number, number>();
  let misses = 0;
  refs.forEach((p, t) => {
    if (!lastUse.has(p)) {
      misses++;
      if (lastUse.size === frames) {
        let victim = -1;
        let oldest = Infinity;
        lastUse.forEach((u, q) => {
          if (u < oldest) {
            victim = q;
            oldest = u;
          }
        });
        lastUse.delete(victim);
      }
    }
    lastUse.set(p, t);
  });
  return misses;
}

/** Belady's MIN: evict the page used farthest in the future (never again = infinitely far). */
export function optMisses(refs: readonly number[], frames: number): number {
  const next = new Array<number>(refs.length);
  const seen = new Map<number, number>();
  for (let i = refs.length - 1; i >= 0; i--) {
    next[i] = seen.get(refs[i]) ?? Infinity;
    seen.set(refs[i], i);
  }
  const nextUse = new Map<number, number>();
  let misses = 0;
  refs.forEach((p, i) => {
    if (!nextUse.has(p)) {
      misses++;
      if (nextUse.size === frames) {
        let victim = -1;
        let farthest = -1;
        nextUse.forEach((u, q) => {
          if (u > farthest) {
            victim = q;
            farthest = u;
          }
        });
        nextUse.delete(victim);
      }
    }
    nextUse.set(p, next[i]);
  });
  return misses;
}

/** One-hand CLOCK whose faulting access sets the new page's bit (pagesim CLOCK-R1, the i386's retried access). */
export function clockR1Misses(refs: readonly number[], frames: number): number {
  const page: number[] = [];
  const bit: boolean[] = [];
  const slot = new Map<number, number>();
  let hand = 0;
  let misses = 0;
  for (const p of refs) {
    const s = slot.get(p);
    if (s !== undefined) {
      bit[s] = true;
      continue;
    }
    misses++;
    if (page.length < frames) {
      slot.set(p, page.length);
      page.push(p);
      bit.push(true);
      continue;
    }
    while (bit[hand]) {
      bit[hand] = false;
      hand = (hand + 1) % frames;
    }
    slot.delete(page[hand]);
    page[hand] = p;
    bit[hand] = true;
    slot.set(p, hand);
    hand = (hand + 1) % frames;
  }
  return misses;
}
