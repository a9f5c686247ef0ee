/**
 * Conversion between trace formats, streamed chunk by chunk:
 * any -> binary (kind and size kept), any -> lackey lines, and any -> page
 * reference string (straddling accesses give both pages, as in the traces
 * README's rule). The output goes through output-file.ts: checked and
 * opened before the input is read, written under a temporary name, and
 * renamed into place only once the whole trace converted.
 */

import * as zlib from "node:zlib";
import { openOutput, type OutputKind } from "../output-file.js";
import { BinaryTraceWriter, FLAG_PAGE_REFERENCES } from "./binary-format.js";
import { ByteSink } from "./byte-sink.js";
import { TextTraceWriter } from "./text-writers.js";
import { classifyTraceHead, detectFormat, readTrace, type TraceFormat } from "./trace-format.js";

export interface ConvertResult {
  readonly from: TraceFormat;
  readonly to: TraceFormat;
  /** Accesses read. */
  readonly accesses: number;
  /** Records written: accesses, or page references for `refs`. */
  readonly written: number;
}

export interface ConvertOptions {
  /** The input's format, if detection should be skipped. */
  readonly from?: TraceFormat;
  /** Replace an existing output that is not a trace of the output format. */
  readonly force?: boolean;
}

/**
 * Writes the trace at `input` to `output` in format `to` (gzip'd if
 * `output` ends in .gz; `-` is standard output). Throws OutputFileError if
 * the output cannot take it, before reading any of the input.
 */
export async function convertTrace(input: string, output: string, to: TraceFormat, options: ConvertOptions = {}): Promise<ConvertResult> {
  const out = openOutput(output, { kind: traceOutputKind(to), force: options.force, inputs: [input], allowStdout: true });
  try {
    const source = options.from ?? (await detectFormat(input));
    const result = await convertStream(input, new ByteSink(out, output.endsWith(".gz")), source, to);
    await out.commit();
    return result;
  } catch (e) {
    out.abort(); // removes the temporary file only: nothing that was there before
    throw e;
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
      return verdict !== "undecided" && "format" in verdict && verdict.format === format;
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

async function convertStream(input: string, sink: ByteSink, source: TraceFormat, to: TraceFormat): Promise<ConvertResult> {
  const binary = to === "binary" ? new BinaryTraceWriter(sink, source === "refs" ? FLAG_PAGE_REFERENCES : 0) : null;
  const text = to === "binary" ? null : new TextTraceWriter(sink, to);
  const writer = (binary ?? text) as BinaryTraceWriter | TextTraceWriter;
  let accesses = 0;
  for await (const chunk of readTrace(input, source)) {
    accesses += chunk.length;
    await writer.write(chunk);
  }
  await writer.close();
  const written = binary !== null ? binary.total : (text as TextTraceWriter).lines;
  return { from: source, to, accesses, written };
}

/** The format a file name suggests (`.bin` binary, `.refs`/`.txt` reference string, `.lackey` lackey), if any. */
export function formatFromName(file: string): TraceFormat | undefined {
  const name = file.replace(/\.gz$/, "");
  if (/\.(bin|vmmtrace)$/.test(name)) return "binary";
  if (/\.(refs|ref|txt)$/.test(name)) return "refs";
  if (/\.(lackey|trace)$/.test(name)) return "lackey";
  return undefined;
}
