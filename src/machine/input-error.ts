/**
 * The one error convention for input a user can fix — a size, an option,
 * a scenario key, a trace line, a disk image, a machine too small to boot:
 * an InputError carries what is wrong (`detail`) and where it was given
 * (`where`: `file:line`, `file:line: key.path`, `--option`, a path), and
 * its message is the two joined, one line. Each layer's own kinds
 * (TraceFormatError, ScenarioError, DiskFormatError, ...) extend it, so a
 * front end tells a user's mistake from a bug with one test and prints the
 * message as it is (the CLI: one line, exit code 2). Anything else thrown is
 * a bug. It lives in the bottom layer so that every layer can throw it.
 */
export class InputError extends Error {
  override name = "InputError";
  /** What is wrong, without the place. */
  readonly detail: string;
  /** Where the input was given, or undefined when the detail names it. */
  readonly where: string | undefined;

  constructor(detail: string, where?: string, options?: ErrorOptions) {
    super(where === undefined || where === "" ? detail : `${where}: ${detail}`, options);
    this.detail = detail;
    this.where = where === "" ? undefined : where;
  }
}
