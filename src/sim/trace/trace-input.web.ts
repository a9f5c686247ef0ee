/**
 * The browser's twin of trace-input.ts: a page has no files, pipes or
 * standard input, only the uploads it put in memory (memory-files.ts,
 * already decompressed: the page gunzips with DecompressionStream). A trace
 * is opened by its upload's name, its format found by the same sniffing,
 * and handed to the readers in one piece (or in exact counts).
 */
import { ExactReader } from "./exact-reader.js";
import { memoryFile } from "./memory-files.js";
import { TraceFormatError } from "./trace-error.js";
import { sniffFormat, type TraceFormat } from "./trace-format.js";
import type { ExactInput, OnFileBytes, OpenOptions } from "./trace-input.js";

export type { ExactInput, OnFileBytes, OpenOptions } from "./trace-input.js";

/** No standard input in a page. */
export const STDIN = "-";

/** A trace given by name (an upload's), or already opened. */
export type TraceSource = string | TraceInput;

/** An upload opened as a trace: its name, format and bytes. */
export class TraceInput {
  readonly gzip = false;
  readonly isStream = false;

  private constructor(
    readonly name: string,
    readonly format: TraceFormat,
    private readonly data: Uint8Array,
  ) {}

  /** Opens the upload `path` and finds its format (unless given). */
  static async open(path: string, options: OpenOptions = {}): Promise<TraceInput> {
    const data = uploaded(path);
    const format = options.format ?? (await sniffFormat((n) => Promise.resolve({ bytes: data.subarray(0, n), complete: data.length <= n }), path));
    return new TraceInput(path, format, data);
  }

  /** A page reads no stream. */
  static fromStream(name: string): Promise<TraceInput> {
    return Promise.reject(new TraceFormatError(name, 0, "a page reads no pipe or standard input, only an uploaded file"));
  }

  get fileBytes(): number {
    return this.data.length;
  }

  as(format: TraceFormat): TraceInput {
    return format === this.format ? this : new TraceInput(this.name, format, this.data);
  }

  /** The bytes, in one piece. */
  bytes(onFileBytes?: OnFileBytes): AsyncIterable<Uint8Array> {
    const data = this.data;
    return (async function* () {
      onFileBytes?.(data.length);
      yield data;
    })();
  }

  exact(onFileBytes?: OnFileBytes): ExactInput {
    return new ExactReader(this.bytes(onFileBytes));
  }

  async close(): Promise<void> {}
}

function uploaded(path: string): Uint8Array {
  const data = memoryFile(path);
  if (data === undefined) throw new TraceFormatError(path, 0, "no such file (the page reads only what was uploaded)");
  return data;
}

/** Opens `source` if it is a name (its format taken as `format` when given). */
export async function traceInput(source: TraceSource, format?: TraceFormat): Promise<TraceInput> {
  if (typeof source !== "string") return format === undefined ? source : source.as(format);
  return TraceInput.open(source, { format });
}

export function openTraceInput(path: string, options: OpenOptions = {}): Promise<TraceInput> {
  return TraceInput.open(path, options);
}

export async function detectFormat(path: string): Promise<TraceFormat> {
  return (await TraceInput.open(path)).format;
}

/** Nothing in a page is a stream. */
export function isStreamInput(_path: string): boolean {
  return false;
}
