/**
 * Trace formats: which one a file holds (by its first bytes, after gunzip),
 * and one entry point that streams any of them as TraceChunks. Besides
 * vmm386's own (lackey, refs, binary), libCacheSim's page strings:
 * oracleGeneral, csv, txt (one id per line: read as refs) and u64.
 */

import * as zlib from "node:zlib";
import { isGzipFile, readHead, type OnFileBytes } from "./byte-source.js";
import { readLackey } from "./lackey-reader.js";
import { readRefs } from "./refs-reader.js";
import { readBinary, hasBinaryMagic } from "./binary-format.js";
import { readCsv } from "./csv-reader.js";
import { looksLikeOracleGeneral, looksLikeU64, readRecords } from "./libcachesim-binary.js";
import { TraceFormatError, streamError } from "./trace-error.js";
import type { TraceChunk } from "./trace-chunk.js";

export const TRACE_FORMATS = ["lackey", "refs", "binary", "oracleGeneral", "csv", "txt", "u64"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function isTraceFormat(s: string): s is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(s);
}

/** The formats that hold a page string (object ids), not a program's addresses. */
export const PAGE_STRING_FORMATS: ReadonlySet<TraceFormat> = new Set(["refs", "oracleGeneral", "csv", "txt", "u64"]);

/** Bytes first examined to recognise a format; more are read while only comments have been seen. */
const SNIFF_BYTES = 4096;

/**
 * The most bytes examined: past this many bytes of blank and comment lines,
 * the file is taken for something that is no trace (the longest line a
 * trace may have, line-stream.ts, is the same).
 */
export const MAX_SNIFF_BYTES = 1 << 20;

/** The first `n` (decompressed) bytes of a file, and whether they are all of it. */
async function head(path: string, n: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const gz = await isGzipFile(path);
  const raw = await readHead(path, n + 1);
  if (!gz) return { bytes: raw.subarray(0, n), complete: raw.length <= n };
  const bytes = await inflateHead(path, raw, n);
  return { bytes, complete: raw.length <= n && bytes.length < n };
}

/** Up to `max` bytes of what the start of a gzip stream inflates to (a stream, so a gzip bomb costs no more). */
function inflateHead(path: string, raw: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    // Z_SYNC_FLUSH: inflate what these bytes hold without requiring the end of the stream.
    const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const done = (): void => resolve(Buffer.concat(parts).subarray(0, max));
    gunzip.on("data", (b: Buffer) => {
      parts.push(b);
      got += b.length;
      if (got >= max) {
        gunzip.removeAllListeners("end");
        gunzip.destroy();
        done();
      }
    });
    gunzip.on("end", done);
    gunzip.on("error", (e) => reject(streamError(path, e)));
    gunzip.end(raw);
  });
}

/** What a trace's first bytes say: its format, that it is none (the line that shows it), or not yet (blank and comment lines only). */
export type HeadVerdict = { readonly format: TraceFormat } | { readonly notATraceAt: number } | "undecided";

/**
 * Recognises a trace's format from its first bytes: the binary magic; bytes
 * that are not text (a NUL among them) are oracleGeneral records if their
 * sizes and next-access fields agree with their ids, else u64 page numbers
 * (else no trace: line 0); text by its first line that is not blank or a `#`
 * comment — `==PID==`, `--PID--`, `**PID**`, `I  ` or ` L/S/M ` means
 * lackey, a decimal number a reference string, fields split by `,`, tab,
 * `|` or `:` a csv. When `complete` is false the bytes are only a prefix,
 * and their last (perhaps partial) line is not judged.
 */
export function classifyTraceHead(bytes: Uint8Array, complete: boolean): HeadVerdict {
  if (hasBinaryMagic(bytes)) return { format: "binary" };
  if (bytes.includes(0)) return classifyBinary(bytes, complete);
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1").split("\n");
  if (!complete) lines.pop();
  let firstLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (/^(==\d+==|--\d+--|\*\*\d+\*\*|I {2}[0-9a-fA-F]|\s[LSM] [0-9a-fA-F])/.test(line)) return { format: "lackey" };
    const t = line.trim();
    if (t !== "" && firstLine === 0) firstLine = i + 1;
    if (t === "" || t.startsWith("#")) continue;
    if (/^\d+\s*(#.*)?$/.test(t)) return { format: "refs" };
    if (/[,\t|:]/.test(t)) return { format: "csv" };
    return { notATraceAt: i + 1 };
  }
  return complete ? { notATraceAt: Math.max(firstLine, 1) } : "undecided";
}

/** libCacheSim's binary page strings: whole records only, unless `bytes` is all of the file. */
function classifyBinary(bytes: Uint8Array, complete: boolean): HeadVerdict {
  if (looksLikeOracleGeneral(bytes)) return { format: "oracleGeneral" };
  if (looksLikeU64(complete ? bytes : bytes.subarray(0, bytes.length & ~7))) return { format: "u64" };
  return { notATraceAt: 0 };
}

/**
 * Recognises a trace's format (see classifyTraceHead), reading more of the
 * file while it shows only blank and comment lines, up to MAX_SNIFF_BYTES.
 */
export async function detectFormat(path: string): Promise<TraceFormat> {
  for (let n = SNIFF_BYTES; ; n *= 8) {
    const { bytes, complete } = await head(path, Math.min(n, MAX_SNIFF_BYTES));
    const verdict = classifyTraceHead(bytes, complete);
    if (verdict === "undecided" && n < MAX_SNIFF_BYTES) continue;
    if (verdict !== "undecided" && "format" in verdict) return verdict.format;
    const line = verdict === "undecided" ? 1 : verdict.notATraceAt;
    const why = verdict === "undecided" ? `only blank and comment lines in its first ${MAX_SNIFF_BYTES / 1024 / 1024} MiB, ` : "";
    throw new TraceFormatError(path, line, `${why}not a trace vmm386 knows (${EXPECTED})`);
  }
}

const EXPECTED = "expected valgrind lackey lines, one page number per line, a csv, or a vmm386 or libCacheSim binary trace";

/**
 * Streams any trace as chunks (format detected unless given); the chunk
 * object is reused between yields. `onFileBytes` hears of every read from
 * the file (compressed bytes for gzip), for progress bars.
 */
export async function* readTrace(path: string, format?: TraceFormat, onFileBytes?: OnFileBytes): AsyncGenerator<TraceChunk> {
  const f = format ?? (await detectFormat(path));
  if (f === "lackey") yield* readLackey(path, undefined, onFileBytes);
  else if (f === "refs" || f === "txt") yield* readRefs(path, undefined, onFileBytes);
  else if (f === "csv") yield* readCsv(path, undefined, onFileBytes);
  else if (f === "oracleGeneral" || f === "u64") yield* readRecords(path, f, undefined, onFileBytes);
  else yield* readBinary(path, undefined, onFileBytes);
}
