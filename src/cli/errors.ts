/**
 * The CLI's one place for errors: every error becomes one line for the user
 * (`errorLine`), and arguments naming files are checked before any work
 * starts. Input a user can fix is an InputError from whichever layer found
 * it (src/machine/input-error.ts), or a file the host could not open; both
 * are one line and exit code 2. Anything else is a bug and keeps its stack.
 */
import { statSync, type Stats } from "node:fs";
import { describeHostError, isHostError } from "../machine/host-file.js";
import { InputError } from "../machine/input-error.js";

/** The line to print for `e` when it is the user's to fix, or null for a bug. */
export function errorLine(e: unknown): string | null {
  if (e instanceof InputError) return e.message;
  if (isHostError(e)) return describeHostError(e);
  return null;
}

/** Throws an InputError unless `file` names an existing regular file (so "a directory" or "missing" is said once, by name). */
export function requireFile(file: string): void {
  const stat = statOf(file);
  if (!stat.isFile()) throw new InputError(stat.isDirectory() ? "is a directory, not a file" : "not a regular file", file);
}

/**
 * Throws an InputError unless `file` names something to read a trace from:
 * a regular file, or a stream (a pipe, FIFO, character device or socket,
 * such as /dev/stdin) that is read once.
 */
export function requireReadable(file: string): void {
  const stat = statOf(file);
  if (stat.isFile() || stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket()) return;
  throw new InputError(stat.isDirectory() ? "is a directory, not a file" : "not a file, pipe or character device", file);
}

function statOf(file: string): Stats {
  try {
    return statSync(file);
  } catch {
    throw new InputError("no such file", file);
  }
}
