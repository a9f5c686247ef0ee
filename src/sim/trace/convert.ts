/**
 * Conversion between trace formats: any -> binary (kind and size kept), any
 * -> lackey lines, any -> page reference string (straddling accesses give
 * both pages, as in the traces README's rule), streamed chunk by chunk; and
 * any -> libCacheSim's page strings (oracleGeneral, csv, txt, u64). The
 * output goes through output-file.ts: checked and opened before the input
 * is read, written under a temporary name, and renamed into place only once
 * the whole trace converted.
 *
 * libCacheSim should replay what vmm386 replays: from a program's addresses
 * (lackey, vmm386 binary) its formats get the pages after the layout
 * mapping that `replay` applies (`rawPages`: the program's own page
 * numbers, the traces README's string); a page string's pages are copied.
 * Those outputs hold the whole string in memory (4 bytes per reference, 8
 * for oracleGeneral, whose records carry each reference's next use).
 */

import * as zlib from "node:zlib";
import { openOutput, type OutputKind } from "../output-file.js";
import { NEVER, PageString, linkNextUses } from "../next-use.js";
import { BinaryTraceWriter, FLAG_PAGE_REFERENCES } from "./binary-format.js";
import { ByteSink } from "./byte-sink.js";
import { RecordWriter } from "./libcachesim-binary.js";
import { readTrace } from "./read-trace.js";
import { pageDelta } from "./page-deltas.js";
import { replayLayout, type LayoutMapping } from "./layout-mapper.js";
import { TextTraceWriter } from "./text-writers.js";
import { TRACE_KIND, TraceChunk } from "./trace-chunk.js";
import { TraceFormatError } from "./trace-error.js";
import { PAGE_STRING_FORMATS, classifyTraceHead, type TraceFormat } from "./trace-format.js";
import { traceInput, type TraceInput, type TraceSource } from "./trace-input.js";
import { PAGE_COUNT, emptySurvey, surveyChunk } from "./trace-survey.js";
import { WidePages, pageReferences } from "./wide-pages.js";

/** libCacheSim's formats: page strings as its cachesim reads them. */
export const LIBCACHESIM_FORMATS: ReadonlySet<TraceFormat> = new Set(["oracleGeneral", "csv", "txt", "u64"]);

/** The header of a csv that vmm386 writes (libCacheSim: `-t "time-col=1,obj-id-col=2,obj-size-col=3,has-header=true,obj-id-is-num=true"`). */
export const CSV_HEADER = "time,obj_id,obj_size\n";

export interface ConvertResult {
  readonly from: TraceFormat;
  readonly to: TraceFormat;
  /** Accesses read. */
  readonly accesses: number;
  /** Records written: accesses, or page references for page-string formats. */
  readonly written: number;
  /** The pages written are the replay's (layout-mapped), not the trace's own. */
  readonly mapped: boolean;
}

export interface ConvertOptions {
  /** The input's format, if detection should be skipped. */
  readonly from?: TraceFormat;
  /** Replace an existing output that is not a trace of the output format. */
  readonly force?: boolean;
  /** libCacheSim outputs of an address trace: the trace's own page numbers instead of the replay's layout. */
  readonly rawPages?: boolean;
  /** Where an output of `-` goes; default this process's standard output. */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * Writes the trace `source` to `output` in format `to` (gzip'd if `output`
 * ends in .gz; `-` is standard output). Throws OutputFileError if the
 * output cannot take it, before reading any of the input.
 */
export async function convertTrace(source: TraceSource, output: string, to: TraceFormat, options: ConvertOptions = {}): Promise<ConvertResult> {
  const name = typeof source === "string" ? source : source.name;
  const out = openOutput(output, { kind: traceOutputKind(to), force: options.force, inputs: [name], allowStdout: true, stdout: options.stdout });
  let input: TraceInput | null = null;
  try {
    input = await traceInput(source, options.from);
    const sink = new ByteSink(out, output.endsWith(".gz"));
    const result = LIBCACHESIM_FORMATS.has(to) ? await convertToPageString(input, sink, to, options.rawPages === true) : await convertStream(input, sink, to);
    await out.commit();
    return result;
  } catch (e) {
    out.abort(); // removes the temporary file only: nothing that was there before
    throw e;
  } finally {
    if (input !== null && input !== source) await input.close();
  }
}

/** An existing file may be replaced by a trace in `format` if it already holds one (plain or gzip'd). */
export function traceOutputKind(format: TraceFormat): OutputKind {
  return {
    noun: `${format} trace`,
    recognise: (head, whole) => {
      const bytes = inflatedHead(head);
      if (bytes === null) return false;
      const verdict = classifyTraceHead(bytes, whole && bytes === head);
      // libCacheSim's txt is a reference string: its bytes read as refs.
      return verdict !== "undecided" && "format" in verdict && (verdict.format === format || (format === "txt" && verdict.format === "refs"));
    },
  };
}

/** Compressed bytes inflated to recognise a gzip'd output, and the most they may inflate to. */
const RECOGNISE_GZIP_BYTES = 4096;
const RECOGNISE_INFLATED_MAX = 8 << 20;

/** The bytes, inflated if they start a gzip stream (null if they do not inflate). */
function inflatedHead(head: Buffer): Buffer | null {
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return head;
  try {
    const raw = head.subarray(0, RECOGNISE_GZIP_BYTES);
    return zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: RECOGNISE_INFLATED_MAX });
  } catch {
    return null;
  }
}

async function convertStream(input: TraceInput, sink: ByteSink, to: TraceFormat): Promise<ConvertResult> {
  const source = input.format;
  const binary = to === "binary" ? new BinaryTraceWriter(sink, PAGE_STRING_FORMATS.has(source) ? FLAG_PAGE_REFERENCES : 0) : null;
  const text = to === "binary" ? null : new TextTraceWriter(sink, to === "lackey" ? "lackey" : "refs");
  const writer = (binary ?? text) as BinaryTraceWriter | TextTraceWriter;
  let accesses = 0;
  for await (const chunk of readTrace(input)) {
    if (chunk.wide && to !== "lackey") {
      throw new TraceFormatError(input.name, 0, `a 64-bit program's trace (addresses above 4 GiB): the ${to} format holds 32-bit ones (convert to lackey, or replay it as it is)`);
    }
    accesses += chunk.length;
    await writer.write(chunk);
  }
  await writer.close();
  const written = binary !== null ? binary.total : (text as TextTraceWriter).lines;
  return { from: source, to, accesses, written, mapped: false };
}

async function convertToPageString(input: TraceInput, sink: ByteSink, to: TraceFormat, rawPages: boolean): Promise<ConvertResult> {
  const source = input.format;
  const mapped = !rawPages && !PAGE_STRING_FORMATS.has(source);
  const { pages, accesses } = await readPageString(input, mapped);
  if (to === "oracleGeneral" || to === "u64") {
    const writer = new RecordWriter(sink, to);
    await writer.write(pages, to === "oracleGeneral" ? nextUses(pages) : undefined);
    await writer.close();
  } else {
    await writePagesAsText(sink, to === "csv" ? "csv" : "refs", pages);
  }
  return { from: source, to, accesses, written: pages.length, mapped };
}

/**
 * The trace's page reference string, mapped to the replay's layout if
 * `mapped`. A 64-bit trace's pages above 4 GiB are first recorded as keys
 * (wide-pages.ts), then turned into their EYN-OS pages, or their own
 * numbers if those fit the string's 31 bits.
 */
async function readPageString(input: TraceInput, mapped: boolean): Promise<{ pages: Int32Array; accesses: number }> {
  const string = new PageString(1 << 16);
  const survey = mapped ? emptySurvey() : null;
  const wide = survey?.wide ?? new WidePages();
  let refs = new Int32Array(0);
  let accesses = 0;
  for await (const chunk of readTrace(input)) {
    accesses += chunk.length;
    if (survey) surveyChunk(survey, chunk);
    if (refs.length < 2 * chunk.length) refs = new Int32Array(2 * chunk.length);
    string.append(pageReferences(chunk, refs, wide));
  }
  const pages = string.view();
  if (survey) mapPages(pages, replayLayout(survey, undefined, input.name), wide.byIndex());
  else if (wide.count > 0) ownPages(pages, wide.byIndex(), input.name);
  return { pages, accesses };
}

/** Moves each page (or key of a page above 4 GiB: `widePages` holds the page of each) as the layout moves its addresses. */
function mapPages(pages: Int32Array, mapping: LayoutMapping, widePages: Float64Array): void {
  const deltas = mapping.deltas;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i];
    pages[i] = p < PAGE_COUNT ? (((p << 12) + pageDelta(deltas, p)) >>> 0) >>> 12 : mapping.wide.eynPage(widePages[p - PAGE_COUNT]);
  }
}

/** Replaces the keys of pages above 4 GiB by the pages themselves; refuses pages past the string's 31 bits. */
function ownPages(pages: Int32Array, widePages: Float64Array, input: string): void {
  const beyond = widePages.find((p) => p > 0x7fffffff);
  if (beyond !== undefined) {
    throw new TraceFormatError(input, 0, `page 0x${beyond.toString(16)} (a 64-bit address) does not fit a 31-bit page number: convert without --raw-pages`);
  }
  for (let i = 0; i < pages.length; i++) if (pages[i] >= PAGE_COUNT) pages[i] = widePages[pages[i] - PAGE_COUNT];
}

/** For each reference, the index of the next reference to its page, or NEVER. */
function nextUses(pages: Int32Array): Int32Array {
  const next = new Int32Array(pages.length);
  linkNextUses([pages], next, new Int32Array(PAGE_COUNT).fill(NEVER));
  return next;
}

/** Writes pages through the text writer, as one-byte loads. */
async function writePagesAsText(sink: ByteSink, style: "refs" | "csv", pages: Int32Array): Promise<void> {
  const writer = new TextTraceWriter(sink, style, style === "csv" ? CSV_HEADER : undefined);
  const chunk = new TraceChunk();
  chunk.kind.fill(TRACE_KIND.LOAD);
  chunk.size.fill(1);
  for (let from = 0; from < pages.length; from += chunk.capacity) {
    chunk.clear();
    chunk.length = Math.min(chunk.capacity, pages.length - from);
    for (let i = 0; i < chunk.length; i++) {
      const page = pages[from + i];
      chunk.addr[i] = page << 12;
      if (page >= PAGE_COUNT) {
        chunk.addrHigh[i] = page >>> 20; // a 64-bit program's own page number (--raw-pages)
        chunk.wide = true;
      }
    }
    await writer.write(chunk);
  }
  await writer.close();
}

/**
 * The format a file name suggests: `.bin` binary (`oracleGeneral` in the
 * name: oracleGeneral), `.refs`/`.ref` reference string, `.txt` libCacheSim
 * txt, `.csv`, `.u64`, `.lackey`/`.trace` lackey; undefined if none.
 */
export function formatFromName(file: string): TraceFormat | undefined {
  const name = file.replace(/\.gz$/, "");
  if (/oracleGeneral/i.test(name)) return "oracleGeneral";
  if (/\.(bin|vmmtrace)$/.test(name)) return "binary";
  if (/\.(refs|ref)$/.test(name)) return "refs";
  if (/\.txt$/.test(name)) return "txt";
  if (/\.csv$/.test(name)) return "csv";
  if (/\.u64$/.test(name)) return "u64";
  if (/\.(lackey|trace)$/.test(name)) return "lackey";
  return undefined;
}
