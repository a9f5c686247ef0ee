/**
 * `vmm386 convert IN OUT [--to FORMAT] [--from FORMAT] [--raw-pages]`:
 * converts a trace between vmm386's formats and libCacheSim's (gzip in and
 * out by magic / `.gz`).
 */
import type { Command } from "commander";
import { InputError } from "../../machine/input-error.js";
import { requireFile } from "../errors.js";
import { formatOption } from "../trace-arg.js";
import type { Invocation } from "../io.js";
import { LIBCACHESIM_FORMATS, convertTrace, formatFromName } from "../../sim/trace/convert.js";
import { STDOUT_PATH } from "../../sim/output-file.js";
import { TRACE_FORMATS, type TraceFormat } from "../../sim/trace/trace-format.js";

interface ConvertOptions {
  to?: string;
  from?: string;
  force?: boolean;
  rawPages?: boolean;
}

export function register(program: Command, inv: Invocation): void {
  program
    .command("convert")
    .description("Convert a memory trace: valgrind lackey, page reference string, vmm386 binary, libCacheSim oracleGeneral/csv/txt/u64 (gzip ok)")
    .argument("<in>", "trace to read (format detected from its bytes)")
    .argument("<out>", "file to write (.gz: gzip-compressed); - for standard output")
    .option("--to <format>", `output format: ${TRACE_FORMATS.join(", ")} (default: from OUT's name, else binary)`)
    .option("--from <format>", "input format, if detection should be skipped")
    .option("--force", "replace OUT even if it is not a trace in the output format")
    .option("--raw-pages", "libCacheSim outputs of a lackey or binary trace: the trace's own page numbers, not the replay's layout")
    .addHelpText("after", CONVERT_HELP)
    .action((input: string, output: string, options: ConvertOptions) => convert(inv, input, output, options));
}

const CONVERT_HELP = `
OUT's name picks the format: .bin vmm386 binary (oracleGeneral in the name: libCacheSim
oracleGeneral), .refs page reference string, .txt/.csv/.u64 libCacheSim, .lackey lackey.
From a lackey or vmm386 binary trace, libCacheSim formats get the pages that \`vmm386 replay\`
uses after mapping the trace's layout onto EYN-OS's, so libCacheSim replays what vmm386 saw
(--raw-pages: the trace's own page numbers, as .refs has them). libCacheSim reads them with:
  cachesim T.oracleGeneral.bin oracleGeneral lru 16 --ignore-obj-size 1
  cachesim T.txt txt lru 16 --ignore-obj-size 1 -t obj-id-is-num=1
  cachesim T.csv csv lru 16 --ignore-obj-size 1 -t "time-col=1,obj-id-col=2,obj-size-col=3,has-header=true,obj-id-is-num=true"
  cachesim T.u64 binary lru 16 --ignore-obj-size 1 -t "format=<Q,obj-id-col=1"
`;

/** Formats written as binary records (kept off a terminal). */
const BINARY_OUTPUTS: ReadonlySet<TraceFormat> = new Set(["binary", "oracleGeneral", "u64"]);

async function convert(inv: Invocation, input: string, output: string, options: ConvertOptions): Promise<void> {
  requireFile(input);
  const to = formatOption(options.to, "--to") ?? formatFromName(output) ?? "binary";
  const from = formatOption(options.from, "--from");
  const toStdout = output === STDOUT_PATH;
  if (toStdout && BINARY_OUTPUTS.has(to) && inv.io.stdout.isTTY) throw new InputError("standard output is a terminal: pipe the binary trace on, or name a file", output);
  if (options.rawPages && !LIBCACHESIM_FORMATS.has(to)) throw new InputError(`only applies to ${[...LIBCACHESIM_FORMATS].join(", ")} outputs`, "--raw-pages");
  const r = await convertTrace(input, output, to, { from, force: options.force, rawPages: options.rawPages, stdout: inv.io.stdout });
  const what = r.to === "lackey" || r.to === "binary" ? "accesses" : "page references";
  const layout = r.mapped ? ", pages as the replay maps them" : "";
  // With the trace on standard output, the summary goes to standard error.
  (toStdout ? inv.io.stderr : inv.io.stdout).write(`${input} (${r.from}, ${r.accesses} accesses) -> ${output} (${r.to}, ${r.written} ${what}${layout})\n`);
}
