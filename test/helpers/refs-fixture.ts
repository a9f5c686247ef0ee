/**
 * The compact form of reference-string fixtures (test/fixtures/refs/*.refs.gz):
 * gzip of
 *
 *   u32 LE  reference count N
 *   u32 LE  distinct page count D
 *   D × u32 LE  the distinct pages, in order of first reference
 *   varints (LEB128): for each run of equal consecutive references,
 *           (index of its page in the table, run length − 1)
 *
 * Runs and a page table make the three 3-million-reference public traces
 * 30–70 KB each, losslessly.
 */
import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { replayAtFrameCounts } from "../../src/sim/policy-replay.js";
import { policyLabel, type PolicyChoice } from "../../src/sim/policy-spec.js";

/** Encodes a reference string in the fixture format. */
export function encodeRefs(pages: Int32Array): Buffer {
  const index = new Map<number, number>();
  const table: number[] = [];
  const body: number[] = [];
  const varint = (x: number): void => {
    while (x >= 0x80) {
      body.push((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    body.push(x);
  };
  for (let i = 0; i < pages.length; ) {
    const p = pages[i];
    let j = i + 1;
    while (j < pages.length && pages[j] === p) j++;
    let k = index.get(p);
    if (k === undefined) {
      k = table.length;
      index.set(p, k);
      table.push(p);
    }
    varint(k);
    varint(j - i - 1);
    i = j;
  }
  const head = Buffer.alloc(8 + 4 * table.length);
  head.writeUInt32LE(pages.length, 0);
  head.writeUInt32LE(table.length, 4);
  table.forEach((p, i) => head.writeUInt32LE(p, 8 + 4 * i));
  return gzipSync(Buffer.concat([head, Buffer.from(body)]), { level: 9 });
}

/**
 * Decodes a fixture back to the reference string. The varints are read
 * inline and each run written by a loop: runs average 1.4 references, and a
 * closure call per varint and a `fill` per run made decoding the three
 * strings ~250 ms of CPU, this ~80 (gunzip included).
 */
export function decodeRefs(gz: Buffer): Int32Array {
  const data = gunzipSync(gz);
  const n = data.readUInt32LE(0);
  const d = data.readUInt32LE(4);
  const table = new Int32Array(d);
  for (let i = 0; i < d; i++) table[i] = data.readUInt32LE(8 + 4 * i);
  const out = new Int32Array(n);
  let at = 8 + 4 * d;
  let o = 0;
  while (o < n) {
    let index = 0;
    for (let shift = 0, b = 0x80; b >= 0x80; shift += 7) {
      b = data[at++];
      index |= (b & 0x7f) << shift;
    }
    let more = 0;
    for (let shift = 0, b = 0x80; b >= 0x80; shift += 7) {
      b = data[at++];
      more |= (b & 0x7f) << shift;
    }
    const page = table[index];
    for (const end = o + more + 1; o < end; o++) out[o] = page;
  }
  return out;
}

const decoded = new Map<string, Int32Array>();

/**
 * `pages` as a reference-string file's bytes: one decimal page number per
 * line. Digits are written straight into bytes: joining 3 million numbers
 * into one string took ~0.9 s, this ~0.2.
 */
export function refsText(pages: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(pages.length * 11);
  let n = 0;
  for (let i = 0; i < pages.length; i++) {
    let v = pages[i];
    if (!(v >= 0 && v <= 0x7fffffff && Number.isInteger(v))) throw new RangeError(`page ${v} at ${i} is not a page number`);
    const start = n;
    do {
      out[n++] = 0x30 + (v % 10);
      v = (v / 10) | 0;
    } while (v > 0);
    for (let a = start, b = n - 1; a < b; a++, b--) {
      const digit = out[a];
      out[a] = out[b];
      out[b] = digit;
    }
    out[n++] = 0x0a;
  }
  return out.subarray(0, n);
}

/** The fixture of trace `name` (busybox-gzip, busybox-awk, c-matmul), decoded once per test file. */
export function loadRefsFixture(name: string): Int32Array {
  let refs = decoded.get(name);
  if (!refs) {
    refs = decodeRefs(readFileSync(new URL(`../fixtures/refs/${name}.refs.gz`, import.meta.url)));
    decoded.set(name, refs);
  }
  return refs;
}

/** One part (full string or 200k prefix) of a trace's reference figures. */
export interface ExpectedPart {
  readonly references: number;
  readonly distinct_pages: number;
  readonly frames: readonly number[];
  /** "<tool>/<policy>" → frames → misses, from ../shared/traces/reference.json. */
  readonly misses: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Trace name → its reference figures (test/fixtures/refs/expected.json). */
export function loadExpected(): Record<string, { full: ExpectedPart; prefix_200k: ExpectedPart }> {
  return JSON.parse(readFileSync(new URL("../fixtures/refs/expected.json", import.meta.url), "utf8"));
}

/** Trace name → part → "libCacheSim/<Policy>" → frames → misses (test/fixtures/refs/libcachesim-policies.json). */
export interface LibCacheSimPolicies {
  readonly misses: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>>>;
  /** vmm386 spec → libCacheSim's spelling and its misses by "trace/part". */
  readonly params: Readonly<Record<string, { readonly libCacheSim: string; readonly misses: Readonly<Record<string, Readonly<Record<string, number>>>> }>>;
}

/** libCacheSim's figures for the policies added after reference.json (2Q, LIRS, SLRU, LFU, and parameters). */
export function loadLibCacheSimPolicies(): LibCacheSimPolicies {
  return JSON.parse(readFileSync(new URL("../fixtures/refs/libcachesim-policies.json", import.meta.url), "utf8"));
}

/** The public traces the fixtures hold. */
export const TRACE_NAMES = ["busybox-gzip", "busybox-awk", "c-matmul"] as const;

/**
 * Misses (and distinct pages) already counted, by the string's buffer, then
 * by its place in it, the policy, the frames and the referenced-bit rule. A replay is a pure
 * function of those, and several tests ask for the same one (LIRS's exact
 * and its within-5% check, CLOCK-Pro's bound and OPT's figures): it runs once
 * per test process. Only strings loadRefsFixture decoded are cached (their
 * buffers are never written).
 */
const counted = new WeakMap<ArrayBufferLike, Map<string, number>>();

/** The memo of the fixture string `refs` is part of, or undefined for other strings. */
function memoOf(refs: Int32Array): Map<string, number> | undefined {
  if (![...decoded.values()].some((d) => d.buffer === refs.buffer)) return undefined;
  let memo = counted.get(refs.buffer);
  if (memo === undefined) counted.set(refs.buffer, (memo = new Map()));
  return memo;
}

/**
 * The distinct pages of `refs`, counted once per test process for fixture
 * strings. An index loop over the runs of equal references, not
 * `new Set(refs)`, whose iterator took ~250 ms per 3-million-reference string.
 */
export function distinctPages(refs: Int32Array): number {
  const memo = memoOf(refs);
  const key = `${refs.byteOffset}:${refs.length}:distinct`;
  let count = memo?.get(key);
  if (count === undefined) {
    const pages = new Set<number>();
    for (let i = 0; i < refs.length; i++) if (i === 0 || refs[i] !== refs[i - 1]) pages.add(refs[i]);
    count = pages.size;
    memo?.set(key, count);
  }
  return count;
}

/** Misses of `policy` on `refs` for each frame count, keyed as in reference.json (the counts not yet memoised replayed together: OPT's future is built once). */
export function missesByFrames(
  refs: Int32Array,
  frames: readonly number[],
  policy: PolicyChoice,
  faultSetsReferenced = true,
): Record<string, number> {
  const memo = memoOf(refs);
  const keyOf = (f: number): string => `${refs.byteOffset}:${refs.length}:${policyLabel(policy)}:${f}:${faultSetsReferenced}`;
  const missing = frames.filter((f) => memo?.get(keyOf(f)) === undefined);
  const results = replayAtFrameCounts(refs, missing, { policy, faultSetsReferenced });
  const counted = new Map(missing.map((f, i) => [f, results[i].misses]));
  for (const [f, misses] of counted) memo?.set(keyOf(f), misses);
  return Object.fromEntries(frames.map((f) => [String(f), counted.get(f) ?? (memo?.get(keyOf(f)) as number)]));
}
