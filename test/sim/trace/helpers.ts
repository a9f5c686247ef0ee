/** Test helpers: a naive, obviously-correct lackey parser to compare the fast one against, and temp files. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { TraceChunk } from "../../../src/sim/trace/trace-chunk.js";

export const FIXTURES = path.join(import.meta.dirname, "../../fixtures/traces");

export interface Access {
  addr: number;
  kind: number;
  size: number;
}

/** Every access of a lackey text, by regular expression (slow, plain). */
export function naiveLackey(text: string): Access[] {
  const out: Access[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("==")) continue;
    const m = /^(I | L| S| M) ([0-9a-f]+),(\d+)$/.exec(line);
    if (!m) throw new Error(`bad line ${line}`);
    out.push({ addr: parseInt(m[2], 16) | 0, kind: "ILSM".indexOf(m[1].trim()), size: Number(m[3]) || 1 });
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
    for (let i = 0; i < c.length; i++) out.push({ addr: c.addr[i], kind: c.kind[i], size: c.size[i] });
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
  const out: number[] = [];
  for (const a of naiveLackey(text)) {
    const first = (a.addr >>> 0) >>> 12;
    const last = ((a.addr >>> 0) + a.size - 1) >>> 12;
    out.push(first);
    if (last !== first) out.push(last);
  }
  return out;
}

/** `n` accesses of every kind and size (1..4096 bytes) at pseudo-random addresses, the same for a seed. */
export function randomAccesses(n: number, seed: number): Access[] {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 0;
  return Array.from({ length: n }, () => ({ addr: next() | 0, kind: next() & 3, size: 1 + (next() % 4096) }));
}
