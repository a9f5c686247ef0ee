/**
 * Validation of a scenario against the published JSON Schema
 * (schema/scenario.schema.json) with ajv, and the translation of ajv's
 * error list into one message a person can act on: the file line, the key
 * path, and what is wrong ("unknown key 'touchh'", "must be one of ...").
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Document, LineCounter } from "yaml";
import { formatKeyPath, lineOf, parseJsonPointer } from "./positions.js";
import { ScenarioError } from "./types.js";
import { scenarioValidator } from "./scenario-validator.js";
import { showNumber } from "./machine-checks.js";

export { SCENARIO_SCHEMA_PATH } from "./schema-document.js";

let compiled: ValidateFunction | undefined;

/** The compiled validator (built once). */
function validator(): ValidateFunction {
  if (compiled === undefined) {
    compiled = scenarioValidator();
  }
  return compiled;
}

/** Throws ScenarioError naming `file:line: key.path` if `data` does not match the schema. */
export function validateScenarioData(data: unknown, file: string, doc: Document, counter: LineCounter): void {
  const validate = validator();
  if (validate(data)) return;
  const error = pickError(validate.errors ?? []);
  if (error === undefined) throw new ScenarioError(file, "does not match the scenario schema");
  const path = parseJsonPointer(error.instancePath);
  const key = error.keyword === "additionalProperties" ? String(error.params.additionalProperty) : undefined;
  const line = lineOf(doc, counter, path, key);
  throw new ScenarioError(`${file}:${line}: ${formatKeyPath(path)}`, describe(error));
}

/**
 * The most useful error of ajv's list: the deepest key path; at equal depth
 * an unknown key first, then a missing one, then the outermost `anyOf` (whose title
 * says what was expected), then whatever came first.
 */
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  const rank = (e: ErrorObject): number =>
    e.keyword === "additionalProperties" ? 0 : e.keyword === "required" ? 1 : e.keyword === "anyOf" ? 2 : 3;
  const depth = (e: ErrorObject): number => parseJsonPointer(e.instancePath).length;
  return [...errors].sort(
    (a, b) => depth(b) - depth(a) || rank(a) - rank(b) || a.schemaPath.length - b.schemaPath.length,
  )[0];
}

/** A value as the user wrote it: numbers YAML reads as infinite or NaN (`.inf`, `1e400`, `.nan`) are not JSON's null. */
function show(value: unknown): string {
  return typeof value === "number" ? showNumber(value) : JSON.stringify(value);
}

/** One phrase for one ajv error. */
function describe(e: ErrorObject): string {
  const title = (e.parentSchema as { title?: string } | undefined)?.title;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown key '${String(e.params.additionalProperty)}'`;
    case "required":
      return `missing key '${String(e.params.missingProperty)}'`;
    case "enum":
      return `${show(e.data)} is not one of ${(e.params.allowedValues as unknown[]).map(String).join(", ")}`;
    case "minProperties":
    case "maxProperties":
      return `expected exactly one key (${title ?? "a step"})`;
    case "anyOf":
      return title ? `${show(e.data)} is not ${title}` : (e.message ?? "is invalid");
    case "pattern":
      return title ? `${show(e.data)} is not ${title}` : `${show(e.data)} has the wrong form`;
    default:
      return `${show(e.data)}: ${e.message ?? "is invalid"}`;
  }
}
