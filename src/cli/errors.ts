import { statSync, type Stats } from "node:fs";

/**
 * Errors a user can fix: bad options, files, scenario keys, disk images.
 * The CLI prints `vmm386: <message>` on one line and exits with code 2;
 * anything else is a bug and keeps its stack trace.
 */
export class UserError extends Error {
  override name = "UserError";
  /** Where the problem is: `file:line`, `--option`, or a scenario key path. */
  readonly where: string | undefined;
  constructor(message: string, where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.where = where;
  }
}

/** Throws a UserError unless `file` names an existing regular file (so "a directory" or "missing" is said once, by name). */
export function requireFile(file: string): void {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    throw new UserError("no such file", file);
  }
  if (!stat.isFile()) throw new UserError(stat.isDirectory() ? "is a directory, not a file" : "not a regular file", file);
}

/**
 * Throws a UserError unless `file` names something to read a trace from: a
 * regular file, or a stream (a pipe, FIFO, character device or socket, such
 * as /dev/stdin) that is read once.
 */
export function requireReadable(file: string): void {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    throw new UserError("no such file", file);
  }
  if (stat.isFile() || stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket()) return;
  throw new UserError(stat.isDirectory() ? "is a directory, not a file" : "not a file, pipe or character device", file);
}
