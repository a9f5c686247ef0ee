import { describe, expect, it } from "vitest";
import { ArcPolicy } from "../../../src/kernel/replacement/arc.js";
import { itMatchesOnFullTraces } from "./agreement.js";

const host = { testAndClearReferenced: (): boolean => false };

/** A full ARC of capacity 4 holding keys 0..3 in frames 0..3 (all in T1). */
function fullArc(): ArcPolicy {
  const arc = new ArcPolicy({ maxFrames: 8, capacity: 4, host });
  for (let f = 0; f < 4; f++) arc.insert(f, f);
  return arc;
}

/** Evicts as a fault handler would, loading `key` into the victim's frame. */
function fault(arc: ArcPolicy, key: number, passKey = true): number {
  const victim = passKey ? arc.selectVictim(key) : arc.selectVictim();
  arc.remove(victim);
  arc.insert(victim, key);
  return victim;
}

describe("ARC", () => {
  it("keeps a page referenced twice (T2) over pages seen once (T1)", () => {
    const arc = fullArc();
    arc.reference(0);
    expect(fault(arc, 10)).toBe(1);
    expect(fault(arc, 11)).toBe(2);
  });

  it("grows its T1 target when a page evicted from T1 comes back (a B1 hit)", () => {
    const arc = fullArc();
    arc.reference(2);
    arc.reference(3);
    fault(arc, 10); // T1 = {0, 1} → evicts key 0 into B1
    expect(arc.target).toBe(0);
    fault(arc, 0); // B1 hit: p grows by max(|B2|/|B1|, 1) = 1
    expect(arc.target).toBe(1);
  });

  it("leaves no ghost when an offered victim is kept, and offers another", () => {
    const arc = fullArc();
    const first = arc.selectVictim(10);
    arc.keep(first);
    const second = arc.selectVictim(10);
    expect(second).not.toBe(first);
    arc.remove(second);
    arc.insert(second, 10);
    expect(arc.size).toBe(4);
  });

  it("still works when the caller does not name the incoming page (ghost lookup at insert)", () => {
    const arc = fullArc();
    for (let k = 10; k < 40; k++) fault(arc, k % 7 === 0 ? k - 9 : k, false);
    expect(arc.size).toBe(4);
  });

  itMatchesOnFullTraces(["libCacheSim/ARC"], "arc");
});
