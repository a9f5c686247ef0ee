/**
 * A trace file that cannot be read as its format says: the message names the
 * file and line (`trace.lackey:1234: expected ...`). The CLI turns it into a
 * UserError (one line, exit code 2).
 */
export class TraceFormatError extends Error {
  override name = "TraceFormatError";
  constructor(
    readonly file: string,
    /** 1-based line (text formats) or byte offset (binary), 0 when unknown. */
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

/** Turns a stream error (truncated gzip, unreadable file) into a TraceFormatError naming the file. */
export function streamError(file: string, e: unknown): Error {
  if (e instanceof TraceFormatError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && "path" in err) return err; // ENOENT etc.: the CLI reports those itself
  const msg = err instanceof Error ? err.message : String(e);
  return new TraceFormatError(file, 0, `cannot read: ${msg}`);
}
