/**
 * Parsing a scenario: YAML text -> parsed document (with positions) ->
 * JSON Schema validation -> resolved `Scenario`. Every problem becomes one
 * ScenarioError naming `file:line: key.path`. No host needed: the command
 * line reads the file (loader.ts), the playground's editor hands its text.
 */
import { LineCounter, parseDocument } from "yaml";
import { formatKeyPath, lineOf } from "./positions.js";
import { resolveScenario, type RawScenario } from "./resolve.js";
import { validateScenarioData } from "./schema.js";
import { ScenarioError, type Scenario } from "./types.js";

/** Parses scenario YAML `text`; `file` names it in messages. */
export function parseScenario(text: string, file: string): Scenario {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const line = counter.linePos(problem.pos[0]).line;
    throw new ScenarioError(`${file}:${line}`, `YAML: ${firstLine(problem.message)}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias to no anchor, or an alias bomb: yaml reports these only when building values.
    throw new ScenarioError(`${file}:1`, `YAML: ${firstLine((e as Error).message)}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ScenarioError(`${file}:1`, "a scenario is a mapping with at least `processes`");
  }
  validateScenarioData(data, file, doc, counter);
  return resolveScenario(data as RawScenario, file, (path) => `${file}:${lineOf(doc, counter, path)}: ${formatKeyPath(path)}`);
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}
