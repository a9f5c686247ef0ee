/**
 * The invariant checker's cost per call (it runs after every operation in
 * the property tests) on a realistic state: four processes with a few
 * hundred heap pages each, two of them forked (shared COW pages), a
 * resident-page cap that keeps about a third of all pages on swap, and a
 * few pages in the swap cache.
 */
import type { Bench, BenchResult } from "./index.js";
import { MIB } from "../src/machine/units.js";
import { USER_HEAP_BASE } from "../src/kernel/layout.js";
import { System } from "../src/sim/system.js";

const PAGES = 300;
const CALLS = 2000;
const ROUNDS = 5;

export const invariantsBench: Bench = {
  name: "invariants",
  run(): BenchResult {
    const s = realisticSystem();
    const swap = s.vmm.swap;
    let best = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) {
        if (s.vmm.checkInvariants().length !== 0) throw new Error("invariants bench: the state is not healthy");
      }
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / CALLS);
    }
    const result = {
      "checkInvariants µs/call": best,
      "user pages resident": s.vmm.residentUserPages,
      "swap slots in use": swap?.usedSlots ?? 0,
      "swap-cache pages": swap?.cachedPages ?? 0,
    };
    s.close();
    return result;
  },
};

/** Two processes of PAGES heap pages, each forked once, children writing half their pages; 700 resident at most. */
function realisticSystem(): System {
  const s = System.create({ ramBytes: 16 * MIB, swapBytes: 8 * MIB, userFrames: 700 });
  for (let p = 0; p < 2; p++) {
    const pid = s.spawn() as number;
    s.brk(pid, USER_HEAP_BASE + PAGES * 4096);
    for (let i = 0; i < PAGES; i++) s.write32(pid, USER_HEAP_BASE + i * 4096, (pid << 16) | i);
    const child = s.fork(pid) as number;
    for (let i = 0; i < PAGES; i += 2) s.write32(child, USER_HEAP_BASE + i * 4096, i);
    for (let i = 0; i < PAGES; i += 3) s.read32(pid, USER_HEAP_BASE + i * 4096);
  }
  return s;
}
