/**
 * Memory traces as a library: read (valgrind lackey, page reference strings,
 * vmm386 binary, libCacheSim's oracleGeneral, csv, txt and u64; gzip
 * transparently), convert, map a Linux program's layout onto EYN-OS's, and
 * replay through a System.
 */
export { TraceChunk, TRACE_KIND, type TraceKind, MAX_ACCESS_SIZE, isStraddle, straddlePage, secondPage } from "./trace-chunk.js";
export { pageReferences, WidePages } from "./wide-pages.js";
export { TRACE_FORMATS, type TraceFormat, isTraceFormat } from "./trace-format.js";
export { TraceInput, openTraceInput, detectFormat, type TraceSource } from "./trace-input.js";
export { readTrace } from "./read-trace.js";
export { readLackey } from "./lackey-reader.js";
export { readRefs } from "./refs-reader.js";
export { readBinary, BinaryTraceWriter, BINARY_MAGIC, BINARY_VERSION } from "./binary-format.js";
export { TextTraceWriter } from "./text-writers.js";
export { readRecords, RecordWriter, type RecordFormat } from "./libcachesim-binary.js";
export { readCsv } from "./csv-reader.js";
export { convertTrace, LIBCACHESIM_FORMATS, type ConvertOptions, type ConvertResult } from "./convert.js";
export { TraceFormatError } from "./trace-error.js";
export { emptySurvey, surveyChunk, type TraceSurvey } from "./trace-survey.js";
export {
  planLayout,
  mapAddress,
  formatMapping,
  LayoutError,
  type LayoutMapping,
  type LayoutOptions,
  type MappedRegion,
  type RegionKind,
} from "./layout-mapper.js";
export { deltaOf, pageDelta, type PageDeltas } from "./page-deltas.js";
export { replayTrace, type ReplayOptions, type ReplayResult } from "./replay.js";
