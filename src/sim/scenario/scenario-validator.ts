/**
 * The scenario schema's validator, compiled by ajv when first asked for.
 * The bundled bin (scripts/bundle.ts) replaces this module with the same
 * validator compiled at build time (ajv's standalone code, from the same
 * options), so that a command reading a scenario does not spend ~0.1 s of
 * CPU generating and compiling it at each start.
 */
import { Ajv, type Options, type ValidateFunction } from "ajv";
import { scenarioSchema } from "./schema-document.js";

/** ajv's options for the scenario schema: every error, with the schema and data each is about (for the message). */
const SCENARIO_AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true };

/** A new Ajv holding the compiled scenario schema, and its validator. */
export function compileScenarioSchema(options: Options = {}): { ajv: Ajv; validate: ValidateFunction } {
  const ajv = new Ajv({ ...SCENARIO_AJV_OPTIONS, ...options });
  return { ajv, validate: ajv.compile(scenarioSchema()) };
}

/** The scenario validator. */
export function scenarioValidator(): ValidateFunction {
  return compileScenarioSchema().validate;
}
