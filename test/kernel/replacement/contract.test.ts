import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPolicy, isPolicyName, POLICY_NAMES, type PolicyName } from "../../../src/kernel/replacement/index.js";
import type { ReplacementHost } from "../../../src/kernel/replacement/policy.js";

/** Accessed bits as the VMM would report them: set by the test, cleared when asked. */
class Bits implements ReplacementHost {
  readonly bits = new Uint8Array(64);
  testAndClearReferenced(pfn: number): boolean {
    const was = this.bits[pfn] !== 0;
    this.bits[pfn] = 0;
    return was;
  }
}

const MAX_FRAMES = 24;

function build(name: PolicyName, host: Bits) {
  // OPT gets a made-up but consistent future: the next use of key k is k * 7 mod 101.
  return createPolicy(name, { maxFrames: MAX_FRAMES, capacity: 16, host, future: { nextUse: (k) => (k * 7) % 101 } });
}

/** What a VMM does to a policy: load, unmap, access, evict, fail to evict. */
const op = fc.oneof(
  fc.record({ kind: fc.constant("load" as const), key: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ kind: fc.constant("unmap" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("access" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("evict" as const), key: fc.integer({ min: 0, max: 60 }), named: fc.boolean() }),
  fc.record({ kind: fc.constant("evict-fails" as const) }),
);

// Checked by hand, not by expect: these checks run after every one of ~60,000 operations per policy, where expect's bookkeeping was most of the file's time.
describe("every policy keeps the ReplacementPolicy contract under VMM-like use", () => {
  it("names its policies and knows them", () => {
    expect(POLICY_NAMES).toContain("clock");
    expect(POLICY_NAMES.every(isPolicyName)).toBe(true);
    expect(isPolicyName("lfu-da")).toBe(false);
  });

  it.each(POLICY_NAMES)("%s: tracks exactly the resident frames, only offers resident ones, and offers each once per round of failures", (name) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: "max" }), (ops) => {
        const host = new Bits();
        const policy = build(name, host);
        const resident = new Map<number, number>(); // frame → key
        const free = Array.from({ length: MAX_FRAMES }, (_, i) => MAX_FRAMES - 1 - i);
        const pick = (n: number): number => [...resident.keys()][n % resident.size];
        for (const o of ops) {
          if (o.kind === "load" && free.length > 0) {
            const f = free.pop() as number;
            resident.set(f, o.key);
            host.bits[f] = 1;
            policy.insert(f, o.key);
          } else if (o.kind === "unmap" && resident.size > 0) {
            const f = pick(o.pick);
            resident.delete(f);
            free.push(f);
            policy.remove(f);
          } else if (o.kind === "access" && resident.size > 0) {
            const f = pick(o.pick);
            host.bits[f] = 1;
            if (policy.observesReferences) policy.reference(f);
          } else if (o.kind === "evict") {
            const v = o.named ? policy.selectVictim(o.key) : policy.selectVictim();
            if (resident.size === 0) {
              if (v !== -1) throw new Error(`offered frame ${v} with nothing resident`);
              continue;
            }
            if (!resident.has(v)) throw new Error(`offered frame ${v}, which is not resident`);
            policy.remove(v);
            resident.set(v, o.key);
            host.bits[v] = 1;
            policy.insert(v, o.key);
          } else if (o.kind === "evict-fails" && resident.size > 0) {
            // Swap writes keep failing: every resident frame is offered once
            // in `size` tries, and again in the next `size` (the VMM tries
            // `size` victims before giving up).
            for (let round = 0; round < 2; round++) {
              const offered: number[] = [];
              for (let i = 0; i < resident.size; i++) {
                const v = policy.selectVictim();
                offered.push(v);
                policy.keep(v);
              }
              const wrong = offered.length !== new Set(offered).size || offered.some((v) => !resident.has(v));
              if (wrong) throw new Error(`offered ${offered.join(",")} in a round of failures over resident ${[...resident.keys()].join(",")}`);
            }
          }
          if (policy.size !== resident.size) throw new Error(`size ${policy.size} with ${resident.size} frames resident`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
