/**
 * Reading a scenario file: its text, parsed and checked by parse.ts. Every
 * problem becomes one ScenarioError naming `file:line: key.path`.
 */
import { readRegularFile } from "../../machine/host-file.js";
import { parseScenario } from "./parse.js";
import { ScenarioError, type Scenario } from "./types.js";

export { parseScenario } from "./parse.js";

/** The largest scenario file read: a scenario is a few lines (`repeat` makes it long, not its text). */
export const MAX_SCENARIO_BYTES = 16 << 20;

/** Reads and validates the scenario file at `path`. */
export function loadScenarioFile(path: string): Scenario {
  // A regular file only: a FIFO would wait for a writer, a device might never end.
  const bytes = readRegularFile(path, MAX_SCENARIO_BYTES, (size) => `${size} bytes is too large for a scenario (at most ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB)`);
  if (typeof bytes === "string") throw new ScenarioError(path, bytes);
  return parseScenario(bytes.toString("utf8"), path);
}
