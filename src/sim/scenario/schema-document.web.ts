/**
 * The browser's twin of schema-document.ts: the published schema, bundled
 * into the page at build time (the same file, so the same checks and words).
 */
import schema from "../../../schema/scenario.schema.json" with { type: "json" };

/** Where the schema came from (messages and links). */
export const SCENARIO_SCHEMA_PATH = "schema/scenario.schema.json";

/** The schema document. */
export function scenarioSchema(): object {
  return schema;
}
