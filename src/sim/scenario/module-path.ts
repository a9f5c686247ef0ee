/**
 * Where a scenario's multiboot module file is on the host: a relative path
 * is taken from the scenario file's folder. A host module: the playground
 * bundles module-path.web.ts in its place.
 */
import { dirname, isAbsolute, join } from "node:path";

/** The path of module `moduleFile` named in the scenario file `scenarioFile`. */
export function modulePath(scenarioFile: string, moduleFile: string): string {
  return isAbsolute(moduleFile) ? moduleFile : join(dirname(scenarioFile), moduleFile);
}
