/** Test helpers: a naive, obviously-correct lackey parser to compare the fast one against, and temp files. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { TraceChunk } from "../../../src/sim/trace/trace-chunk.js";

export const FIXTURES = path.join(import.meta.dirname, "../../fixtures/traces");

export interface Access {
  /** The low 32 bits of the address, as int32. */
  addr: number;
  kind: number;
  size: number;
  /** The upper 32 bits of a 64-bit program's address at or above 4 GiB (absent below). */
  high?: number;
}

/** An Access for a byte address of up to 64 bits. */
export function accessAt(address: bigint, kind: number, size: number): Access {
  const high = Number(address >> 32n);
  const addr = Number(address & 0xffffffffn) | 0;
  return high === 0 ? { addr, kind, size } : { addr, kind, size, high };
}

/** Every access of a lackey text, by regular expression (slow, plain). */
export function naiveLackey(text: string): Access[] {
  const out: Access[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("==")) continue;
    const m = /^(I | L| S| M) ([0-9a-f]+),(\d+)$/.exec(line);
    if (!m) throw new Error(`bad line ${line}`);
    out.push(accessAt(BigInt("0x" + m[2]), "ILSM".indexOf(m[1].trim()), Number(m[3]) || 1));
  }
  return out;
}

/** Reads a fixture as text, gunzipping `.gz`. */
export function fixtureText(name: string): string {
  const bytes = fs.readFileSync(path.join(FIXTURES, name));
  return (name.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("latin1");
}

/** Collects every access of a chunk stream (copying: chunks are reused). */
export async function collect(chunks: AsyncIterable<TraceChunk>): Promise<Access[]> {
  const out: Access[] = [];
  for await (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const access: Access = { addr: c.addr[i], kind: c.kind[i], size: c.size[i] };
      if (c.addrHigh[i] !== 0) access.high = c.addrHigh[i];
      out.push(access);
    }
  }
  return out;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-trace-test-"));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `text` to `dir/name` (gzip'd when the name ends in .gz) and returns the path. */
export function writeFile(dir: string, name: string, text: string | Uint8Array): string {
  const p = path.join(dir, name);
  const bytes = typeof text === "string" ? Buffer.from(text, "latin1") : text;
  fs.writeFileSync(p, name.endsWith(".gz") ? zlib.gzipSync(bytes) : bytes);
  return p;
}

/** The traces README's page reference string of a lackey text: each access gives its first page, a straddling one also its last. */
export function referenceString(text: string): number[] {
  return pageReferencesOf(naiveLackey(text));
}

/** The page reference string of accesses the plain parser read (a straddling access references both its pages). */
export function pageReferencesOf(accesses: readonly Access[]): number[] {
  const out: number[] = [];
  for (const a of accesses) {
    const address = (a.high ?? 0) * 2 ** 32 + (a.addr >>> 0);
    const first = Math.floor(address / 4096);
    const last = Math.floor((address + a.size - 1) / 4096);
    out.push(first);
    if (last !== first) out.push(last);
  }
  return out;
}

/**
 * `got` is `want`, access by access (address, high half, kind, size); throws
 * naming the first difference. For hundreds of thousands of accesses, where
 * toEqual's deep comparison of as many objects took seconds.
 */
export function expectSameAccesses(got: readonly Access[], want: readonly Access[]): void {
  const show = (a: Access | undefined) => JSON.stringify(a);
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const [g, w] = [got[i], want[i]];
    const same = g !== undefined && w !== undefined && g.addr === w.addr && g.high === w.high && g.kind === w.kind && g.size === w.size;
    if (!same) throw new Error(`access ${i} of ${want.length}: got ${show(g)}, want ${show(w)} (${got.length} accesses read)`);
  }
}

/** `n` accesses of every kind and size (1..4096 bytes) at pseudo-random addresses, the same for a seed. */
export function randomAccesses(n: number, seed: number): Access[] {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 0;
  return Array.from({ length: n }, () => ({ addr: next() | 0, kind: next() & 3, size: 1 + (next() % 4096) }));
}
