/**
 * A trace named on the command line (`replay`, `mrc`), opened once: a path
 * checked first (missing, a directory), or `-` for standard input, which a
 * terminal cannot be (nothing was piped in).
 */
import { InputError } from "../machine/input-error.js";
import { TRACE_FORMATS, isTraceFormat, type TraceFormat } from "../sim/trace/trace-format.js";
import { openTraceInput, STDIN, type TraceInput } from "../sim/trace/trace-input.js";
import { requireReadable } from "./errors.js";
import type { Invocation } from "./io.js";

/** Opens the trace `argument` names, in `format` if given (else detected). */
export async function openTraceArgument(inv: Invocation, argument: string, format: TraceFormat | undefined): Promise<TraceInput> {
  if (argument !== STDIN) requireReadable(argument);
  else if (inv.io.stdin.isTTY) throw new InputError("standard input is a terminal: pipe a trace in (... | vmm386 replay -)", "-");
  return openTraceInput(argument, { format, stdin: inv.io.stdin });
}

/** Validates a trace format option (--format, --to, --from). */
export function formatOption(value: string | undefined, option: string): TraceFormat | undefined {
  if (value === undefined) return undefined;
  if (!isTraceFormat(value)) throw new InputError(`unknown trace format "${value}" (${TRACE_FORMATS.join(", ")})`, option);
  return value;
}
