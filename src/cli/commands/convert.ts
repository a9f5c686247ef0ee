/**
 * `vmm386 convert IN OUT [--to binary|refs|lackey] [--from FORMAT]`: converts
 * a trace between formats, streamed (gzip in and out by magic / `.gz`).
 */
import * as path from "node:path";
import type { Command } from "commander";
import { UserError, requireFile } from "../errors.js";
import { convertTrace, formatFromName } from "../../sim/trace/convert.js";
import { TRACE_FORMATS, isTraceFormat, type TraceFormat } from "../../sim/trace/trace-format.js";
import { TraceFormatError } from "../../sim/trace/trace-error.js";

interface ConvertOptions {
  to?: string;
  from?: string;
}

export function register(program: Command): void {
  program
    .command("convert")
    .description("Convert a memory trace: valgrind lackey, page reference string, or vmm386 binary (gzip read and written transparently)")
    .argument("<in>", "trace to read (format detected from its bytes)")
    .argument("<out>", "file to write (.gz: gzip-compressed)")
    .option("--to <format>", `output format: ${TRACE_FORMATS.join(", ")} (default: from OUT's name, else binary)`)
    .option("--from <format>", "input format, if detection should be skipped")
    .action((input: string, output: string, options: ConvertOptions) => convert(input, output, options));
}

async function convert(input: string, output: string, options: ConvertOptions): Promise<void> {
  requireFile(input);
  const to = formatOption(options.to, "--to") ?? formatFromName(output) ?? "binary";
  const from = formatOption(options.from, "--from");
  if (path.resolve(input) === path.resolve(output)) throw new UserError("input and output are the same file", output);
  try {
    const r = await convertTrace(input, output, to, from);
    const what = r.to === "refs" ? "page references" : "accesses";
    process.stdout.write(`${input} (${r.from}, ${r.accesses} accesses) -> ${output} (${r.to}, ${r.written} ${what})\n`);
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
