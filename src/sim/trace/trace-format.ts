/**
 * Trace formats, and which one a trace holds, told from its first
 * (decompressed) bytes: the binary format's magic, else the first line that
 * is not blank or a comment, looking further while only comments have been
 * seen. Besides vmm386's own (lackey, refs, binary), libCacheSim's page
 * strings: oracleGeneral, csv, txt (one id per line: read as refs) and u64.
 * Only bytes in, a format out: opening the trace (file, pipe, gzip) is
 * trace-input.ts's part.
 */

import { looksLikeOracleGeneral, looksLikeU64 } from "./libcachesim-layout.js";
import { TraceFormatError } from "./trace-error.js";

export const TRACE_FORMATS = ["lackey", "refs", "binary", "oracleGeneral", "csv", "txt", "u64"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function isTraceFormat(s: string): s is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(s);
}

/** The formats that hold a page string (object ids), not a program's addresses. */
export const PAGE_STRING_FORMATS: ReadonlySet<TraceFormat> = new Set(["refs", "oracleGeneral", "csv", "txt", "u64"]);

/** The first bytes of a vmm386 binary trace (binary-format.ts). */
export const BINARY_MAGIC = "VMM386TR";

/** True if `head` starts with the binary format's magic. */
export function hasBinaryMagic(head: Uint8Array): boolean {
  if (head.length < BINARY_MAGIC.length) return false;
  for (let i = 0; i < BINARY_MAGIC.length; i++) if (head[i] !== BINARY_MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Bytes first examined to recognise a format; more are read while only comments have been seen. */
export const SNIFF_BYTES = 4096;

/**
 * The most bytes examined: past this many bytes of blank and comment lines,
 * the trace is taken for something that is no trace (the longest line a
 * trace may have, line-stream.ts, is the same).
 */
export const MAX_SNIFF_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** The first bytes of a trace, and whether they are all of it. */
export interface TraceHead {
  readonly bytes: Uint8Array;
  readonly complete: boolean;
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
  let firstLine = 0;
  // Line by line, as text only once reached: the first line decides nearly always.
  for (let i = 0, from = 0; from <= bytes.length; i++) {
    const newline = bytes.indexOf(NEWLINE, from);
    if (newline < 0 && !complete) break; // a prefix's last line may be partial
    const end = newline < 0 ? bytes.length : newline;
    const line = latin1Text(bytes.subarray(from, end)).replace(/\r$/, "");
    from = end + 1;
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

/** libCacheSim's binary page strings: whole records only, unless `bytes` is all of the trace. */
function classifyBinary(bytes: Uint8Array, complete: boolean): HeadVerdict {
  if (looksLikeOracleGeneral(bytes)) return { format: "oracleGeneral" };
  if (looksLikeU64(complete ? bytes : bytes.subarray(0, bytes.length & ~7))) return { format: "u64" };
  return { notATraceAt: 0 };
}

/**
 * The format of the trace `name` whose first `n` decompressed bytes
 * `head(n)` gives (see classifyTraceHead), asking for more while they show
 * only blank and comment lines, up to MAX_SNIFF_BYTES; a TraceFormatError
 * naming the line for anything else.
 */
export async function sniffFormat(head: (n: number) => Promise<TraceHead>, name: string): Promise<TraceFormat> {
  for (let n = SNIFF_BYTES; ; n *= 8) {
    const { bytes, complete } = await head(Math.min(n, MAX_SNIFF_BYTES));
    const verdict = classifyTraceHead(bytes, complete);
    if (verdict === "undecided" && n < MAX_SNIFF_BYTES) continue;
    if (verdict !== "undecided" && "format" in verdict) return verdict.format;
    const line = verdict === "undecided" ? 1 : verdict.notATraceAt;
    const why = verdict === "undecided" ? `only blank and comment lines in its first ${MAX_SNIFF_BYTES / 1024 / 1024} MiB, ` : "";
    throw new TraceFormatError(name, line, `${why}not a trace vmm386 knows (${EXPECTED})`);
  }
}

const EXPECTED = "expected valgrind lackey lines, one page number per line, a csv, or a vmm386 or libCacheSim binary trace";

/** The bytes as text, one character per byte (no decoder: a trace's bytes may be anything). */
export function latin1Text(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}
