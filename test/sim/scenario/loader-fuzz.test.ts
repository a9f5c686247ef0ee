import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stringify } from "yaml";
import { parseScenario } from "../../../src/sim/scenario/loader.js";
import { ScenarioError } from "../../../src/sim/scenario/types.js";

/** Either a scenario or a ScenarioError with a `file:line` place: nothing else may escape. */
function loadsOrExplains(text: string): void {
  try {
    parseScenario(text, "f.yaml");
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    expect(e.message).toMatch(/^f\.yaml(:\d+)?: /);
  }
}

const value = fc.oneof(
  fc.integer({ min: -5, max: 70000 }),
  fc.constantFrom("heap", "stack-4K", "+8K", "4M", "off", "0x10", "zigzag", "", "1G", "heap+3Q"),
  fc.boolean(),
  fc.constant(null),
);
const keys = ["brk", "mmap", "munmap", "touch", "fork", "exit", "copyOut", "tick", "switch", "yield", "repeat", "pokePte", "at", "length", "pattern", "times", "steps", "touchh"];
const stepLike: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, value, fc.dictionary(fc.constantFrom(...keys), tie("node"), { maxKeys: 3 }), fc.array(tie("node"), { maxLength: 3 })),
})).node;

describe("scenario loader robustness", () => {
  it("any YAML document either loads or gives one ScenarioError with its place", () => {
    fc.assert(
      fc.property(
        fc.record({
          machine: fc.dictionary(fc.constantFrom("ram", "swap", "cpu", "policy", "tlb", "userFrames", "strictTlb", "seed", "rom", "cmdline", "modules", "framebuffer"), value, { maxKeys: 4 }),
          processes: fc.array(fc.record({ name: fc.constantFrom("a", "b", "c"), steps: fc.array(stepLike, { maxLength: 4 }) }), { maxLength: 3 }),
        }),
        (doc) => loadsOrExplains(stringify(doc)),
      ),
      { numRuns: 400 },
    );
  });

  it("arbitrary text never escapes as anything but a ScenarioError", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), loadsOrExplains), { numRuns: 300 });
  });
});
