/**
 * Paths on the host for files a scenario or an option names (multiboot
 * modules, policy plugins): relative ones are taken from the scenario's
 * folder or the working directory. A host module: the playground bundles
 * host-path.web.ts in its place.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";

/** The folder holding `file`. */
export function folderOf(file: string): string {
  return dirname(file);
}

/** `path`, or `path` under `folder` when it is relative (kept relative if the folder is). */
export function joinPath(folder: string, path: string): string {
  return isAbsolute(path) ? path : join(folder, path);
}

/** `path` made absolute from `base` (default: the working directory). */
export function resolvePath(base: string | undefined, path: string): string {
  return isAbsolute(path) ? path : resolve(base ?? process.cwd(), path);
}
