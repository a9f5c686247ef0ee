/**
 * The browser's twin of module-path.ts: a page has no folders, so a module
 * is named as the scenario wrote it (the machine then says it cannot read it).
 */

/** The path of module `moduleFile` named in the scenario `scenarioFile`: as written. */
export function modulePath(_scenarioFile: string, moduleFile: string): string {
  return moduleFile;
}
