/**
 * Trace formats: which one a file holds (by its first bytes, after gunzip),
 * and one entry point that streams any of them as TraceChunks.
 */

import * as zlib from "node:zlib";
import { isGzipFile, readHead, type OnFileBytes } from "./byte-source.js";
import { readLackey } from "./lackey-reader.js";
import { readRefs } from "./refs-reader.js";
import { readBinary, hasBinaryMagic } from "./binary-format.js";
import { TraceFormatError, streamError } from "./trace-error.js";
import type { TraceChunk } from "./trace-chunk.js";

export const TRACE_FORMATS = ["lackey", "refs", "binary"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function isTraceFormat(s: string): s is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(s);
}

/** Bytes examined to recognise a format. */
const SNIFF_BYTES = 4096;

/** Compressed bytes read to find the first SNIFF_BYTES of a gzip'd file. */
const SNIFF_COMPRESSED = 64 * 1024;

/**
 * The first (decompressed) bytes of a file: one small read, inflated as far
 * as it goes. A stream input (a pipe) keeps them for the reader that follows.
 */
async function head(path: string): Promise<Buffer> {
  const gz = await isGzipFile(path);
  const raw = await readHead(path, gz ? SNIFF_COMPRESSED : SNIFF_BYTES);
  if (!gz) return raw;
  try {
    // Z_SYNC_FLUSH: inflate what these bytes hold without requiring the end of the stream.
    return zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, SNIFF_BYTES);
  } catch (e) {
    throw streamError(path, e);
  }
}

/**
 * Recognises a trace's format: the binary magic; else the first line that is
 * not blank or a `#` comment — `==PID==`, `--PID--`, `**PID**`, `I  ` or ` L/S/M ` means lackey,
 * a decimal number means a reference string.
 */
export async function detectFormat(path: string): Promise<TraceFormat> {
  const bytes = await head(path);
  if (hasBinaryMagic(bytes)) return "binary";
  const text = bytes.toString("latin1");
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (/^(==\d+==|--\d+--|\*\*\d+\*\*|I {2}[0-9a-fA-F]|\s[LSM] [0-9a-fA-F])/.test(line)) return "lackey";
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    if (/^\d+\s*(#.*)?$/.test(t)) return "refs";
    break;
  }
  const firstLine = lines.findIndex((l) => l.trim() !== "") + 1;
  throw new TraceFormatError(
    path,
    Math.max(firstLine, 1),
    "not a trace vmm386 knows (expected valgrind lackey lines, one page number per line, or a vmm386 binary trace)",
  );
}

/**
 * Streams any trace as chunks (format detected unless given); the chunk
 * object is reused between yields. `onFileBytes` hears of every read from
 * the file (compressed bytes for gzip), for progress bars.
 */
export async function* readTrace(path: string, format?: TraceFormat, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const f = format ?? (await detectFormat(path));
  if (f === "lackey") yield* readLackey(path, undefined, onFileBytes);
  else if (f === "refs") yield* readRefs(path, undefined, onFileBytes);
  else yield* readBinary(path, undefined, onFileBytes);
}
