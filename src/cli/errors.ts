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
