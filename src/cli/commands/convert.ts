/**
 * `vmm386 convert IN OUT [--to binary|refs|lackey] [--from FORMAT]`: converts
 * a trace between formats, streamed (gzip in and out by magic / `.gz`).
 */
import type { Command } from "commander";
import { UserError, requireFile } from "../errors.js";
import { convertTrace, formatFromName } from "../../sim/trace/convert.js";
import { STDOUT_PATH } from "../../sim/output-file.js";
import { TRACE_FORMATS, isTraceFormat, type TraceFormat } from "../../sim/trace/trace-format.js";
import { TraceFormatError } from "../../sim/trace/trace-error.js";

interface ConvertOptions {
  to?: string;
  from?: string;
  force?: boolean;
}

export function register(program: Command): void {
  program
    .command("convert")
    .description("Convert a memory trace: valgrind lackey, page reference string, or vmm386 binary (gzip read and written transparently)")
    .argument("<in>", "trace to read (format detected from its bytes)")
    .argument("<out>", "file to write (.gz: gzip-compressed); - for standard output")
    .option("--to <format>", `output format: ${TRACE_FORMATS.join(", ")} (default: from OUT's name, else binary)`)
    .option("--from <format>", "input format, if detection should be skipped")
    .option("--force", "replace OUT even if it is not a trace in the output format")
    .action((input: string, output: string, options: ConvertOptions) => convert(input, output, options));
}

async function convert(input: string, output: string, options: ConvertOptions): Promise<void> {
  requireFile(input);
  const to = formatOption(options.to, "--to") ?? formatFromName(output) ?? "binary";
  const from = formatOption(options.from, "--from");
  const toStdout = output === STDOUT_PATH;
  if (toStdout && to === "binary" && process.stdout.isTTY) throw new UserError("standard output is a terminal: pipe the binary trace on, or name a file", output);
  try {
    const r = await convertTrace(input, output, to, { from, force: options.force });
    const what = r.to === "refs" ? "page references" : "accesses";
    // With the trace on standard output, the summary goes to standard error.
    (toStdout ? process.stderr : process.stdout).write(`${input} (${r.from}, ${r.accesses} accesses) -> ${output} (${r.to}, ${r.written} ${what})\n`);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UserError(e.message);
    throw e;
  }
}

/** Validates a --to/--from value. */
export function formatOption(value: string | undefined, option: string): TraceFormat | undefined {
  if (value === undefined) return undefined;
  if (!isTraceFormat(value)) throw new UserError(`unknown trace format "${value}" (${TRACE_FORMATS.join(", ")})`, option);
  return value;
}
