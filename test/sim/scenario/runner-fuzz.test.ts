import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stringify } from "yaml";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { runScenario } from "../../../src/sim/scenario/runner.js";
import { System } from "../../../src/sim/system.js";

const address = fc.constantFrom("heap", "heap+4K", "heap+60K", "shared", "shared+8K", "stack-8K", "stack-4", "code", 0x10, 0xbfff0000, 0xc0001000, 0x7ffff000);
const size = fc.constantFrom("4K", "8K", "64K", 4, 100);
const touch = fc.record({
  at: address,
  length: size,
  pattern: fc.constantFrom("sequential", "random", "strided", "hotcold", "loop"),
  access: fc.constantFrom("read", "write", "mixed"),
  count: fc.integer({ min: 1, max: 50 }),
  seed: fc.nat(1000),
});
const step = fc.oneof(
  fc.record({ brk: fc.constantFrom("+8K", "+64K", "-4K", "heap", 0x40100000, 0x10) }),
  fc.record({ mmap: fc.record({ at: address, length: size }) }),
  fc.record({ munmap: fc.record({ at: address, length: size }) }),
  fc.record({ touch }),
  fc.record({ touch }),
  fc.record({ fork: fc.constantFrom("b", "c") }),
  fc.record({ copyOut: fc.record({ at: address, text: fc.constant("hi there") }) }),
  fc.record({ tick: fc.integer({ min: 1, max: 150 }) }),
  fc.record({ switch: fc.constantFrom("a", "b", "c") }),
  fc.record({ exit: fc.integer({ min: 0, max: 3 }) }),
);

describe("scenario runner robustness", () => {
  it("any valid scenario runs to its end on the real VMM: no host exception, kernel invariants hold, nothing leaks", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), fc.array(step, { maxLength: 6 }), fc.array(step, { maxLength: 6 }), (a, b, c) => {
        const doc = { processes: [{ name: "a", steps: a }, { name: "b", steps: b }, { name: "c", steps: c }] };
        let scenario;
        try {
          scenario = parseScenario(stringify(doc), "fuzz.yaml");
        } catch {
          return; // forks forming a cycle, a child forked twice...: rejected up front, fine
        }
        const system = System.create({ ramBytes: 2 << 20, swapBytes: 1 << 20, checkInvariants: true });
        try {
          const r = runScenario(system, scenario);
          expect(r.panic).toBeNull();
          for (const pid of system.runningPids()) system.exit(pid, 0);
          expect(system.vmm.checkInvariants()).toEqual([]);
          expect(system.vmm.residentUserPages).toBe(0);
          expect(system.vmm.swap?.usedSlots ?? 0).toBe(0);
        } finally {
          system.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
