/**
 * Conversion between trace formats, streamed chunk by chunk:
 * any -> binary (kind and size kept), any -> lackey lines, and any -> page
 * reference string (straddling accesses give both pages, as in the traces
 * README's rule).
 */

import * as fs from "node:fs";
import { BinaryTraceWriter, FLAG_PAGE_REFERENCES } from "./binary-format.js";
import { TextTraceWriter } from "./text-writers.js";
import { detectFormat, readTrace, type TraceFormat } from "./trace-format.js";

export interface ConvertResult {
  readonly from: TraceFormat;
  readonly to: TraceFormat;
  /** Accesses read. */
  readonly accesses: number;
  /** Records written: accesses, or page references for `refs`. */
  readonly written: number;
}

/** Writes the trace at `input` to `output` in format `to` (gzip'd if `output` ends in .gz). */
export async function convertTrace(input: string, output: string, to: TraceFormat, from?: TraceFormat): Promise<ConvertResult> {
  const source = from ?? (await detectFormat(input));
  try {
    return await convertStream(input, output, source, to);
  } catch (e) {
    fs.rmSync(output, { force: true }); // no half-written output left behind
    throw e;
  }
}

async function convertStream(input: string, output: string, source: TraceFormat, to: TraceFormat): Promise<ConvertResult> {
  const binary = to === "binary" ? new BinaryTraceWriter(output, source === "refs" ? FLAG_PAGE_REFERENCES : 0) : null;
  const text = to === "binary" ? null : new TextTraceWriter(output, to);
  const writer = (binary ?? text) as BinaryTraceWriter | TextTraceWriter;
  let accesses = 0;
  try {
    for await (const chunk of readTrace(input, source)) {
      accesses += chunk.length;
      await writer.write(chunk);
    }
  } finally {
    await writer.close();
  }
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
