/**
 * Reading a scenario: YAML text -> parsed document (with positions) ->
 * JSON Schema validation -> resolved `Scenario`. Every problem becomes one
 * ScenarioError naming `file:line: key.path`.
 */
import { readRegularFile } from "../../machine/host-file.js";
import { LineCounter, parseDocument } from "yaml";
import { formatKeyPath, lineOf } from "./positions.js";
import { resolveScenario, type RawScenario } from "./resolve.js";
import { validateScenarioData } from "./schema.js";
import { ScenarioError, type Scenario } from "./types.js";

/** The largest scenario file read: a scenario is a few lines (`repeat` makes it long, not its text). */
export const MAX_SCENARIO_BYTES = 16 << 20;

/** Reads and validates the scenario file at `path`. */
export function loadScenarioFile(path: string): Scenario {
  // A regular file only: a FIFO would wait for a writer, a device might never end.
  const bytes = readRegularFile(path, MAX_SCENARIO_BYTES, (size) => `${size} bytes is too large for a scenario (at most ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB)`);
  if (typeof bytes === "string") throw new ScenarioError(path, bytes);
  return parseScenario(bytes.toString("utf8"), path);
}

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
