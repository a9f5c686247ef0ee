/**
 * The bundled bin validates scenarios with ajv's standalone code, generated
 * at build time (scripts/bundle.ts); tests and the playground compile the
 * schema at run time. Both must judge every scenario alike, down to the
 * errors the one-line message is made from.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REQUIRE_BANNER, scenarioValidatorSource } from "../../../scripts/bundle.js";
import { scenarioValidator } from "../../../src/sim/scenario/scenario-validator.js";
import { TEST_HELPER_DIR } from "../../cli/test-bin.js";

/** The precompiled validator, as a module inside the repository (so that its `require` finds ajv's runtime). */
async function precompiled(): Promise<ValidateFunction> {
  mkdirSync(TEST_HELPER_DIR, { recursive: true });
  const file = join(TEST_HELPER_DIR, `scenario-validator-${process.pid}.js`);
  writeFileSync(file, `${REQUIRE_BANNER}\n${scenarioValidatorSource()}`);
  try {
    const module = (await import(pathToFileURL(file).href)) as { scenarioValidator: () => ValidateFunction };
    return module.scenarioValidator();
  } finally {
    rmSync(file);
  }
}

const steps = (list: unknown[]): unknown => ({ processes: [{ name: "a", steps: list }] });

/** Scenarios the schema refuses, one way each: an unknown key, a wrong type, a missing key, a value out of an enum, no branch of an anyOf, an extra key deep down. */
const REFUSED: unknown[] = [
  steps([{ touchh: { at: "heap" } }]),
  { processes: "a" },
  { machine: { ram: "4M" } },
  { machine: { tlb: { entriez: 3 } }, processes: [{ name: "a", steps: [] }] },
  steps([{ touch: { at: "heap", length: "4K", pattern: "spiral" } }]),
  steps([{ brk: [1, 2] }]),
  { processes: [{ name: 7, steps: [{ fork: { name: "b", steps: [{ exit: 0, extra: true }] } }] }] },
  [],
];

describe("the bundled bin's precompiled scenario validator", () => {
  it("accepts every example and refuses each bad scenario with the errors the run-time validator gives", async () => {
    const bundled = await precompiled();
    const compiled = scenarioValidator();
    const examples = readdirSync("examples").filter((f) => f.endsWith(".yaml"));
    expect(examples.length).toBeGreaterThan(5);
    for (const name of examples) {
      const data: unknown = parse(readFileSync(join("examples", name), "utf8"));
      expect([name, bundled(data), bundled.errors]).toEqual([name, true, null]);
      expect(compiled(data)).toBe(true);
    }
    for (const data of REFUSED) {
      expect(bundled(data)).toBe(false);
      expect(compiled(data)).toBe(false);
      expect(bundled.errors).toEqual(compiled.errors);
      expect(bundled.errors?.length).toBeGreaterThan(0);
    }
  });
});
