/**
 * The torture driver's operations: what they are, how four random numbers
 * decode into one, and a seeded generator of them.
 *
 * An operation is four 31-bit numbers decoded against the current state
 * (which process, which page of its heap, mappings or stack), so any
 * sequence of them is meaningful: fast-check shrinks a failing sequence by
 * dropping and shrinking numbers (zero decodes to the simplest operation),
 * and the CLI feeds the same decoder from a seeded generator.
 */

import { PAGE_SIZE } from "../machine/i386.js";
import { KERNEL_BASE, USER_CODE_BASE, USER_SHARED_BASE } from "../kernel/layout.js";

/** An operation as generated: four numbers in 0..2^31-1. */
export type RawOp = readonly [number, number, number, number];

/** Where an access goes: a page of one of the process's regions, or somewhere it must fault. */
export interface Target {
  readonly region: "heap" | "shared" | "image" | "stack" | "wild";
  readonly page: number;
  readonly offset: number;
}

/** A decoded operation; `proc` picks a running process (index modulo their count). */
export type TortureOp =
  | { readonly kind: "spawn" }
  | { readonly kind: "fork"; readonly proc: number }
  | { readonly kind: "exit"; readonly proc: number }
  | { readonly kind: "read"; readonly proc: number; readonly at: Target; readonly size: number }
  | { readonly kind: "write"; readonly proc: number; readonly at: Target; readonly size: number; readonly value: number }
  | { readonly kind: "touch"; readonly proc: number; readonly at: Target; readonly size: number; readonly write: boolean }
  | { readonly kind: "copyOut"; readonly proc: number; readonly at: Target; readonly size: number; readonly value: number }
  | { readonly kind: "copyIn"; readonly proc: number; readonly at: Target; readonly size: number }
  | { readonly kind: "brk"; readonly proc: number; readonly pages: number }
  | { readonly kind: "mmap"; readonly proc: number; readonly slot: number; readonly pages: number; readonly writable: boolean }
  | { readonly kind: "mapImage"; readonly proc: number; readonly slot: number; readonly pages: number; readonly writable: boolean }
  | { readonly kind: "munmap"; readonly proc: number; readonly slot: number; readonly pages: number }
  | { readonly kind: "tick"; readonly n: number };

/** Heap pages a process may grow to; mmap (and image) slots of SLOT_PAGES pages; stack pages used. */
export const HEAP_PAGES = 48;
export const SHARED_SLOTS = 8;
export const SLOT_PAGES = 8;
export const STACK_PAGES = 24;
/** Where mapImage slots start: a program's usual text address (as Linux's 0x08048000). */
export const IMAGE_BASE = 0x08048000;
/** Longest byte run of a read/write/copy (crosses one or two page boundaries). */
const MAX_RUN = 6000;

/** Relative frequencies of the operations, in decoding order. */
const WEIGHTS: readonly (readonly [TortureOp["kind"], number])[] = [
  ["read", 24],
  ["write", 26],
  ["touch", 8],
  ["copyOut", 6],
  ["copyIn", 3],
  ["brk", 7],
  ["mmap", 5],
  ["mapImage", 2],
  ["munmap", 3],
  ["fork", 6],
  ["exit", 3],
  ["spawn", 2],
  ["tick", 2],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0);

/** Decodes four numbers into an operation; every input gives a valid one. */
export function decodeOp(raw: RawOp): TortureOp {
  const [a, b, c, d] = raw;
  let pick = a % TOTAL_WEIGHT;
  let kind: TortureOp["kind"] = "read";
  for (const [k, w] of WEIGHTS) {
    if (pick < w) {
      kind = k;
      break;
    }
    pick -= w;
  }
  const proc = b % 64;
  const value = Math.floor(b / 64);
  const r = c % 100;
  const region: Target["region"] = r < 36 ? "heap" : r < 56 ? "shared" : r < 64 ? "image" : r < 98 ? "stack" : "wild";
  const at: Target = { region, page: Math.floor(c / 100), offset: d % PAGE_SIZE };
  const sizeSel = Math.floor(d / PAGE_SIZE) % 8;
  const run = 1 + (Math.floor(d / (PAGE_SIZE * 8)) % MAX_RUN);
  const size = sizeSel < 4 ? 1 : sizeSel < 7 ? 4 : run;
  switch (kind) {
    case "spawn":
      return { kind };
    case "fork":
    case "exit":
      return { kind, proc };
    case "read":
    case "copyIn":
      return { kind, proc, at, size };
    case "write":
      return { kind, proc, at, size, value };
    case "touch":
      return { kind, proc, at, size, write: (value & 1) === 1 };
    case "copyOut":
      return { kind, proc, at, size: run, value };
    case "brk":
      return { kind, proc, pages: d % (HEAP_PAGES + 1) };
    case "mmap":
    case "mapImage":
      return { kind, proc, slot: c % SHARED_SLOTS, pages: 1 + (d % SLOT_PAGES), writable: value % 8 !== 0 };
    case "munmap":
      return { kind, proc, slot: c % (2 * SHARED_SLOTS), pages: 1 + (d % SLOT_PAGES) };
    case "tick":
      return { kind, n: 1 + (d % 150) };
  }
}

/** `count` operations from a seeded generator (mulberry32), decoded lazily. */
export function* randomOps(seed: number, count: number): Generator<TortureOp> {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) & 0x7fffffff;
  };
  for (let i = 0; i < count; i++) yield decodeOp([next(), next(), next(), next()]);
}

/** Where a wild access goes: the null page, code, past the break, unmapped shared, or the kernel. */
export function wildAddress(at: Target, heapBreak: number): number {
  switch (at.page % 5) {
    case 0:
      return at.offset;
    case 1:
      return USER_CODE_BASE + (Math.floor(at.page / 5) % 256) * PAGE_SIZE + at.offset;
    case 2:
      return heapBreak + (Math.floor(at.page / 5) % 16) * PAGE_SIZE + at.offset;
    case 3:
      return USER_SHARED_BASE + (SHARED_SLOTS * SLOT_PAGES + (Math.floor(at.page / 5) % 64)) * PAGE_SIZE + at.offset;
    default:
      return KERNEL_BASE + (Math.floor(at.page / 5) % 1024) * PAGE_SIZE + at.offset;
  }
}
