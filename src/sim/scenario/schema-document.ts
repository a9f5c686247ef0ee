/**
 * The published scenario schema (schema/scenario.schema.json) as an object,
 * read from the package on the host. A host module: the playground bundles
 * schema-document.web.ts, which imports the same file at build time.
 */
import { readFileSync } from "node:fs";
import { packageFile } from "../package-files.js";

/** Where the published schema lives. */
export const SCENARIO_SCHEMA_PATH = packageFile("schema/scenario.schema.json");

/** The schema document. */
export function scenarioSchema(): object {
  return JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as object;
}
