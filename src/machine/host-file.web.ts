/**
 * The browser's twin of host-file.ts: a page has no file system, so every
 * file a run would open (a multiboot module named by path) is refused in
 * one line, as the command line refuses a missing one. Bytes a page has
 * (an uploaded trace) reach the simulator without a path.
 */
import type { RegularFileOpen } from "./host-file.js";

export type { RegularFileOpen } from "./host-file.js";

const NO_FILES = "files cannot be opened in the browser";

/** No error here comes from a host file system. */
export function isHostError(_e: unknown): _e is NodeJS.ErrnoException {
  return false;
}

export function hostErrorText(e: NodeJS.ErrnoException): string {
  return e.message;
}

export function describeHostError(e: NodeJS.ErrnoException): string {
  return e.message;
}

export function describeFileType(_stat: unknown): string {
  return "is not a regular file";
}

export function openRegularFile(_path: string, _access: "read" | "read-write" = "read"): RegularFileOpen {
  return { ok: false, problem: NO_FILES };
}

/** Why the file cannot be read: there are no files. */
export function readRegularFile(_path: string, _maxBytes: number, _tooLarge: (size: number) => string): Uint8Array | string {
  return NO_FILES;
}
