/** One entry point that streams a trace of any format as TraceChunks, whichever reader its format needs. */

import { hostDue, yieldToHost } from "../host-yield.js";
import { readBinary } from "./binary-format.js";
import { readCsv } from "./csv-reader.js";
import { readLackey } from "./lackey-reader.js";
import { readRecords } from "./libcachesim-binary.js";
import { readRefs } from "./refs-reader.js";
import type { TraceChunk } from "./trace-chunk.js";
import type { TraceFormat } from "./trace-format.js";
import { traceInput, type OnFileBytes, type TraceInput, type TraceSource } from "./trace-input.js";

/**
 * Streams any trace as chunks (format detected when the source is opened,
 * unless given); the chunk object is reused between yields. `onFileBytes`
 * hears of every read from the file (compressed bytes for gzip), for progress bars.
 */
export async function* readTrace(source: TraceSource, format?: TraceFormat, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const input = await traceInput(source, format);
  try {
    for await (const chunk of reader(input, onFileBytes)) {
      yield chunk;
      // Between chunks, once in a while: a plain file is read synchronously and would never let a signal in.
      if (hostDue()) await yieldToHost();
    }
  } finally {
    // A stream the reader refused before reading must not keep its writer (or standard input) open.
    if (input !== source) await input.close();
  }
}

/** The reader of the input's format. */
function reader(input: TraceInput, onFileBytes: OnFileBytes | undefined): AsyncGenerator<TraceChunk> {
  const f = input.format;
  if (f === "lackey") return readLackey(input, undefined, onFileBytes);
  if (f === "refs" || f === "txt") return readRefs(input, undefined, onFileBytes);
  if (f === "csv") return readCsv(input, undefined, onFileBytes);
  if (f === "oracleGeneral" || f === "u64") return readRecords(input, f, undefined, onFileBytes);
  return readBinary(input, undefined, onFileBytes);
}
