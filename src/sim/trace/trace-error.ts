/**
 * A trace file that cannot be read as its format says: an InputError whose
 * place is the file and line (`trace.lackey:1234: expected ...`).
 */

import { InputError } from "../../machine/input-error.js";

export class TraceFormatError extends InputError {
  override name = "TraceFormatError";
  constructor(
    readonly file: string,
    /** 1-based line (text formats) or byte offset (binary), 0 when unknown. */
    readonly line: number,
    detail: string,
  ) {
    super(detail, line > 0 ? `${file}:${line}` : file);
  }
}

/** Turns a stream error (truncated gzip, unreadable file) into a TraceFormatError naming the file; input errors pass as they are. */
export function streamError(file: string, e: unknown): Error {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && "path" in err) return err; // ENOENT etc.: the CLI reports those itself
  const msg = err instanceof Error ? err.message : String(e);
  return new TraceFormatError(file, 0, `cannot read: ${msg}`);
}
