/**
 * The layouts of libCacheSim's binary page strings (oracleGeneral, u64), and
 * how their first bytes are told apart from other files: bytes in, a yes or
 * no out, so format detection (trace-format.ts) needs nothing else of the
 * readers and writers (libcachesim-binary.ts).
 */

import { PAGE_COUNT } from "./trace-survey.js";

/** The record layouts: bytes per record and where the u64 object id sits. */
export const RECORD_LAYOUT = {
  oracleGeneral: { bytes: 24, idOffset: 4 },
  u64: { bytes: 8, idOffset: 0 },
} as const;
export type RecordFormat = keyof typeof RECORD_LAYOUT;

/**
 * True if `head` (a file's first bytes) reads as oracleGeneral records:
 * each size is non-zero and each next-access field is -1 or a later
 * position, and where that position is inside `head`, the record there is
 * the same object — and no earlier one is; or every next-access field is
 * -1 (a tool that did not compute them: vmm386 computes next uses itself).
 * A u64 page string fails at once
 * (its second id's high half, read as a size, is 0); other binary files
 * within a few records.
 */
export function looksLikeOracleGeneral(head: Uint8Array): boolean {
  const { bytes, idOffset } = RECORD_LAYOUT.oracleGeneral;
  const n = Math.floor(head.length / bytes);
  if (n === 0) return false;
  const view = new DataView(head.buffer, head.byteOffset, n * bytes);
  const idAt = (i: number): bigint => view.getBigUint64(i * bytes + idOffset, true);
  const seen = new Map<bigint, number>();
  const expected = new Array<number>(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const id = idAt(i);
    expected[i] = seen.get(id) ?? -1;
    seen.set(id, i);
  }
  let agrees = true;
  let allUnknown = true;
  for (let i = 0; i < n; i++) {
    if (view.getUint32(i * bytes + 12, true) === 0) return false;
    const next = view.getBigInt64(i * bytes + 16, true);
    if (next !== -1n) allUnknown = false;
    if (expected[i] >= 0 ? next !== BigInt(expected[i] + 1) : next !== -1n && next <= BigInt(n)) agrees = false;
    if (!agrees && !allUnknown) return false;
  }
  return true;
}

/** True if `head` could be a u64 page string: whole records, each id a page number. */
export function looksLikeU64(head: Uint8Array): boolean {
  if (head.length === 0 || head.length % 8 !== 0) return false;
  const words = new Uint32Array(head.buffer.slice(head.byteOffset, head.byteOffset + head.length));
  for (let w = 0; w < words.length; w += 2) if (words[w + 1] !== 0 || words[w] >= PAGE_COUNT) return false;
  return true;
}

