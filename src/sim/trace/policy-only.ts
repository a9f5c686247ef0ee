/**
 * Policy-only replay: a trace's page reference string through a replacement
 * policy alone, with no MMU, page tables or swap — what libCacheSim and
 * OSTEP's simulator measure. It is the fast path for researchers sweeping
 * policies; `replay` without `--policy-only` pays the real costs of the VMM.
 *
 * The string is the one of ../shared/traces/README.md: one page per access,
 * two (in order) for an access whose bytes span a page boundary. It streams
 * in chunks, except for OPT, which needs the whole future and so holds the
 * string (4 bytes per reference) in memory. A 64-bit program's pages above
 * 4 GiB are numbered 2^20, 2^20 + 1, ... in order of first reference (the
 * policies see only which references are to the same page).
 */

import { choiceNeedsFuture, type PolicyChoice } from "../policy-spec.js";
import { NextUseTable, PolicyReplay, type PolicyReplayResult } from "../policy-replay.js";
import type { TraceChunk } from "./trace-chunk.js";
import { readTrace, type TraceFormat } from "./trace-format.js";
import { PAGE_FLAG } from "./trace-survey.js";
import { WidePages, wideReferenceKeys } from "./wide-pages.js";

export interface PolicyOnlyOptions {
  readonly frames: number;
  readonly policy: PolicyChoice;
  readonly format?: TraceFormat;
  /** The faulting reference sets the new page's referenced bit (i386 Accessed; default true). */
  readonly faultSetsReferenced?: boolean;
  /** The policy's parameters (`name:key=value`). */
  readonly params?: Readonly<Record<string, number>>;
}

export interface PolicyOnlyResult extends PolicyReplayResult {
  readonly file: string;
  readonly accesses: number;
  readonly seconds: number;
}

/** Replays `file`'s page reference string through `options.policy` with `options.frames` frames. */
export async function replayPolicyOnly(file: string, options: PolicyOnlyOptions): Promise<PolicyOnlyResult> {
  const started = process.hrtime.bigint();
  let accesses = 0;
  let result: PolicyReplayResult;
  const wide = new WidePages();
  if (choiceNeedsFuture(options.policy)) {
    const chunks: Int32Array[] = [];
    for await (const chunk of readTrace(file, options.format)) {
      accesses += chunk.length;
      chunks.push(pageReferences(chunk, new Int32Array(chunk.length * 2), wide).slice());
    }
    const replay = new PolicyReplay({ ...options, future: NextUseTable.build(chunks) });
    for (const c of chunks) replay.feed(c);
    result = replay.result();
  } else {
    const replay = new PolicyReplay(options);
    let pages = new Int32Array(0);
    for await (const chunk of readTrace(file, options.format)) {
      accesses += chunk.length;
      if (pages.length < chunk.length * 2) pages = new Int32Array(chunk.length * 2);
      replay.feed(pageReferences(chunk, pages, wide));
    }
    result = replay.result();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...result, file, accesses, seconds };
}

/**
 * The page references of `chunk` written into `out` (which must hold 2 per
 * access); returns the filled view. A wide chunk's pages above 4 GiB are
 * numbered by `wide` (the same object for the whole trace).
 */
export function pageReferences(chunk: TraceChunk, out: Int32Array, wide: WidePages): Int32Array {
  if (chunk.wide) return out.subarray(0, wideReferenceKeys(chunk, wide, PAGE_FLAG.TOUCHED, out));
  const { addr, size } = chunk;
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const a = addr[i];
    const first = a >>> 12;
    const last = (a + size[i] - 1) >>> 12;
    out[n++] = first;
    if (last !== first) out[n++] = last & 0xfffff;
  }
  return out.subarray(0, n);
}
