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

import { choiceNeedsFuture, requirePolicyPlugins, type PolicyChoice } from "../policy-spec.js";
import { NextUseTable, PolicyReplay, type PolicyReplayResult } from "../policy-replay.js";
import type { TraceFormat } from "./trace-format.js";
import { readTrace } from "./read-trace.js";
import { traceInput, type TraceInput, type TraceSource } from "./trace-input.js";
import { WidePages, pageReferences } from "./wide-pages.js";

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

/** Replays the page reference string of `source` through `options.policy` with `options.frames` frames. */
export async function replayPolicyOnly(source: TraceSource, options: PolicyOnlyOptions): Promise<PolicyOnlyResult> {
  const started = performance.now();
  await requirePolicyPlugins(options.policy);
  const input = await traceInput(source, options.format);
  try {
    const counted = { accesses: 0 };
    const result = choiceNeedsFuture(options.policy) ? await withFuture(input, options, counted) : await streamed(input, options, counted);
    const seconds = (performance.now() - started) / 1000;
    return { ...result, file: input.name, accesses: counted.accesses, seconds };
  } finally {
    if (input !== source) await input.close();
  }
}

/** A policy that needs no future: the string streams through it chunk by chunk. */
async function streamed(input: TraceInput, options: PolicyOnlyOptions, counted: { accesses: number }): Promise<PolicyReplayResult> {
  const replay = new PolicyReplay(options);
  const wide = new WidePages();
  let pages = new Int32Array(0);
  for await (const chunk of readTrace(input)) {
    counted.accesses += chunk.length;
    if (pages.length < chunk.length * 2) pages = new Int32Array(chunk.length * 2);
    replay.feed(pageReferences(chunk, pages, wide));
  }
  return replay.result();
}

/** OPT: the whole string is held, its next uses found, then it is replayed. */
async function withFuture(input: TraceInput, options: PolicyOnlyOptions, counted: { accesses: number }): Promise<PolicyReplayResult> {
  const chunks: Int32Array[] = [];
  const wide = new WidePages();
  for await (const chunk of readTrace(input)) {
    counted.accesses += chunk.length;
    chunks.push(pageReferences(chunk, new Int32Array(chunk.length * 2), wide).slice());
  }
  const replay = new PolicyReplay({ ...options, future: NextUseTable.build(chunks) });
  for (const c of chunks) replay.feed(c);
  return replay.result();
}
