/**
 * Textbook simulators written the obvious way (arrays, linear scans), to
 * check the fast policies against on random strings.
 */

/** Misses of FIFO, LRU, OPT or CLOCK (R1: the fault sets the bit; R0: it does not). */
export function naiveMisses(refs: readonly number[], frames: number, policy: "fifo" | "lru" | "opt" | "clock-r0" | "clock-r1"): number {
  const resident: number[] = []; // oldest (or least recent / hand) first
  const bit = new Map<number, number>();
  let misses = 0;
  refs.forEach((page, i) => {
    const at = resident.indexOf(page);
    if (at >= 0) {
      if (policy === "lru") resident.push(...resident.splice(at, 1));
      bit.set(page, 1);
      return;
    }
    misses++;
    if (resident.length === frames) {
      if (policy === "opt") {
        const nextUse = (p: number): number => {
          const j = refs.indexOf(p, i + 1);
          return j < 0 ? Infinity : j;
        };
        let victim = 0;
        for (let k = 1; k < resident.length; k++) if (nextUse(resident[k]) > nextUse(resident[victim])) victim = k;
        resident.splice(victim, 1);
      } else if (policy.startsWith("clock")) {
        while (bit.get(resident[0]) === 1) {
          bit.set(resident[0], 0);
          resident.push(resident.shift() as number);
        }
        resident.shift();
      } else {
        resident.shift();
      }
    }
    resident.push(page);
    bit.set(page, policy === "clock-r0" ? 0 : 1);
  });
  return misses;
}
