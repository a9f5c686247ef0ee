/**
 * Conformance vectors: scenarios recorded on other people's x86 emulators
 * (schema `i386-paging-vectors/1`, see test/fixtures/conformance/README.md),
 * parsed, validated and replayed through this MMU.
 *
 * Each scenario runs on a fresh view of one physical memory (the frames the
 * previous scenario wrote are zeroed) with paging enabled after its words
 * are written, so its TLB starts empty, as the recording harness's did. The
 * vectors say where accesses went, not what data moved, so accesses are
 * translated (with straddling split as `Mmu.access` does) and no data bytes
 * are written.
 *
 * A malformed file is a VectorFormatError whose one-line message names the
 * file, the scenario (index, id and line when it can be found) and the key.
 */

import { InputError } from "./input-error.js";
import { ACCESS, CR0, CR4, PAGE_SIZE, PAGE_OFFSET_MASK } from "./i386.js";
import { CPU_MODELS, type CpuName } from "./cpu-model.js";
import { PhysicalMemory, checkRamSize, MemoryConfigError } from "./physical-memory.js";
import { FAULT, Mmu, type MmuOptions } from "./mmu.js";

export const VECTOR_SCHEMA = "i386-paging-vectors/1";

export interface VectorAccess {
  readonly va: number;
  readonly size: 1 | 2 | 4;
  readonly write: boolean;
  readonly cpl: 0 | 3;
  readonly value?: number;
}

/** What an access did: the physical address of its first byte (and of the second page's first byte), or the #PF. */
export type AccessOutcome = { readonly ok: true; readonly phys: readonly number[] } | { readonly ok: false; readonly error_code: number; readonly cr2: number };

export type Word = readonly [address: number, value: number];

export interface VectorScenario {
  readonly id: string;
  readonly tags: readonly string[];
  readonly cr0_wp: 0 | 1;
  readonly cr4_pse: 0 | 1;
  readonly cr3: number;
  readonly init: readonly Word[];
  readonly accesses: readonly VectorAccess[];
  readonly expect: {
    readonly accesses: readonly AccessOutcome[];
    readonly final: readonly Word[];
    readonly final_alt?: readonly Word[];
  };
}

export interface VectorFile {
  readonly name: string;
  readonly physMemBytes: number;
  readonly scenarios: readonly VectorScenario[];
}

/** One difference between a scenario's expectation and this model. */
export type ConformanceFailure =
  | { readonly id: string; readonly access: number; readonly expected: AccessOutcome; readonly actual: AccessOutcome }
  | { readonly id: string; readonly finalWord: number; readonly expected: number; readonly actual: number };

export interface ConformanceSummary {
  readonly scenarios: number;
  readonly accesses: number;
  /** Scenarios whose every access and final word matched. */
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly ConformanceFailure[];
}

export class VectorFormatError extends InputError {
  override name = "VectorFormatError";
}

/** Parses and validates a vector file's text; throws VectorFormatError naming the problem and where. */
export function parseVectors(text: string, name: string): VectorFile {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new VectorFormatError(`${name}${jsonErrorPlace(text, e)}: not valid JSON: ${jsonErrorText(e)}`);
  }
  if (!isObject(root)) throw new VectorFormatError(`${name}: the file must hold one JSON object`);
  if (root.schema !== VECTOR_SCHEMA) {
    throw new VectorFormatError(`${name}: schema must be "${VECTOR_SCHEMA}", got ${JSON.stringify(root.schema)}`);
  }
  const physMemBytes = root.phys_mem_bytes;
  if (typeof physMemBytes !== "number") throw new VectorFormatError(`${name}: phys_mem_bytes must be a number`);
  try {
    checkRamSize(physMemBytes);
  } catch (e) {
    if (e instanceof MemoryConfigError) throw new VectorFormatError(`${name}: phys_mem_bytes: ${e.message}`);
    throw e;
  }
  if (!Array.isArray(root.scenarios)) throw new VectorFormatError(`${name}: scenarios must be an array`);
  if (root.scenarios.length === 0) throw new VectorFormatError(`${name}: scenarios is empty: a vector file must hold at least one scenario`);
  const seen = new Set<string>();
  const scenarios = root.scenarios.map((s: unknown, i: number) => {
    const id = isObject(s) && typeof s.id === "string" ? s.id : undefined;
    // A repeated id stops the parse here, so at most one scenario before this one carries it.
    const earlier = id !== undefined && seen.has(id) ? 1 : 0;
    const where = `${name}${id === undefined ? "" : lineOfId(text, id, earlier)}: scenario ${i}${id === undefined ? "" : ` (${id})`}`;
    const scenario = checkScenario(s, physMemBytes, (key, what) => new VectorFormatError(`${where}: ${key} ${what}`));
    if (earlier > 0) throw new VectorFormatError(`${where}: id is used by an earlier scenario`);
    seen.add(scenario.id);
    return scenario;
  });
  return { name, physMemBytes, scenarios };
}

export interface ConformanceOptions {
  /** A CPU with PSE and WP: "pentium" or "p6" (default). */
  readonly cpu?: CpuName;
  readonly tlb?: MmuOptions["tlb"];
  readonly strict?: boolean;
}

/** Runs every scenario of `file` through the MMU and compares with its expectations. */
export function runVectors(file: VectorFile, options: ConformanceOptions = {}): ConformanceSummary {
  const model = CPU_MODELS[options.cpu ?? "p6"];
  if (!model.hasPse || !model.hasWp) throw new VectorFormatError(`cpu ${model.name} lacks PSE or WP, which the vectors use; use pentium or p6`);
  const memory = new PhysicalMemory(file.physMemBytes);
  const mmu = new Mmu(memory, model, { tlb: options.tlb, strict: options.strict });
  const failures: ConformanceFailure[] = [];
  let accesses = 0;
  let failed = 0;
  let previous: readonly Word[] = [];
  for (const scenario of file.scenarios) {
    for (const [address] of previous) memory.zeroFrame(address >>> 12);
    previous = scenario.init;
    const before = failures.length;
    runScenario(mmu, scenario, failures);
    accesses += scenario.accesses.length;
    if (failures.length > before) failed++;
  }
  return { scenarios: file.scenarios.length, accesses, passed: file.scenarios.length - failed, failed, failures };
}

/** Plays one scenario on `mmu` (its memory already zero where the scenario's words go); appends differences. */
function runScenario(mmu: Mmu, s: VectorScenario, failures: ConformanceFailure[]): void {
  const memory = mmu.memory;
  mmu.setCr0(CR0.PE);
  for (const [address, value] of s.init) memory.write32(address, value);
  mmu.setCr4(s.cr4_pse === 1 ? CR4.PSE : 0);
  mmu.loadCr3(s.cr3);
  mmu.setCr0(CR0.PE | CR0.PG | (s.cr0_wp === 1 ? CR0.WP : 0));
  s.accesses.forEach((a, i) => {
    const actual = play(mmu, a);
    const expected = s.expect.accesses[i];
    if (!sameOutcome(expected, actual)) failures.push({ id: s.id, access: i, expected, actual });
  });
  const finals = s.init.map(([address]) => memory.read32(address) >>> 0);
  const matches = (words: readonly Word[] | undefined): boolean => words !== undefined && words.every(([, v], i) => v === finals[i]);
  if (matches(s.expect.final) || matches(s.expect.final_alt)) return;
  s.expect.final.forEach(([address, expected], i) => {
    if (expected !== finals[i]) failures.push({ id: s.id, finalWord: address, expected, actual: finals[i] });
  });
}

/** One access through `Mmu.access`, described as the vectors describe it. */
function play(mmu: Mmu, a: VectorAccess): AccessOutcome {
  const kind = (a.write ? ACCESS.WRITE : 0) | (a.cpl === 3 ? ACCESS.USER : 0);
  const pfn = mmu.access(a.va, a.size, kind);
  if (pfn === FAULT) return { ok: false, error_code: mmu.errorCode, cr2: mmu.cr2 };
  const first = pfn * PAGE_SIZE + (a.va & PAGE_OFFSET_MASK);
  return { ok: true, phys: mmu.secondPfn >= 0 ? [first, mmu.secondPfn * PAGE_SIZE] : [first] };
}

function sameOutcome(x: AccessOutcome, y: AccessOutcome): boolean {
  if (x.ok && y.ok) return x.phys.length === y.phys.length && x.phys.every((p, i) => p === y.phys[i]);
  if (!x.ok && !y.ok) return x.error_code === y.error_code && x.cr2 === y.cr2;
  return false;
}

type Problem = (key: string, what: string) => VectorFormatError;

/** Validates one scenario object; `problem` builds the error for a key. */
function checkScenario(s: unknown, physBytes: number, problem: Problem): VectorScenario {
  if (!isObject(s)) throw problem("scenario", "must be an object");
  if (typeof s.id !== "string" || s.id === "") throw problem("id", "must be a non-empty string");
  const tags = s.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) throw problem("tags", "must be an array of strings");
  const cr0_wp = oneOf(s.cr0_wp, [0, 1] as const, "cr0_wp", "must be 0 or 1", problem);
  const cr4_pse = oneOf(s.cr4_pse, [0, 1] as const, "cr4_pse", "must be 0 or 1", problem);
  const cr3 = u32(s.cr3, "cr3", problem);
  if (cr3 % PAGE_SIZE !== 0 || cr3 >= physBytes) throw problem("cr3", "must be a 4 KiB aligned address inside physical memory");
  const init = words(s.init, "init", physBytes, problem);
  if (!Array.isArray(s.accesses)) throw problem("accesses", "must be an array");
  const accesses = s.accesses.map((a: unknown, i: number) => checkAccess(a, `accesses[${i}]`, problem));
  const expect = s.expect;
  if (!isObject(expect)) throw problem("expect", "must be an object");
  if (!Array.isArray(expect.accesses) || expect.accesses.length !== accesses.length) {
    throw problem("expect.accesses", `must be an array with one outcome per access (${accesses.length})`);
  }
  const outcomes = expect.accesses.map((o: unknown, i: number) => checkOutcome(o, `expect.accesses[${i}]`, problem));
  const final = sameAddresses(words(expect.final, "expect.final", physBytes, problem), init, "expect.final", problem);
  const finalAlt = expect.final_alt === undefined ? undefined : sameAddresses(words(expect.final_alt, "expect.final_alt", physBytes, problem), init, "expect.final_alt", problem);
  return { id: s.id, tags, cr0_wp, cr4_pse, cr3, init, accesses, expect: { accesses: outcomes, final, final_alt: finalAlt } };
}

function checkAccess(a: unknown, key: string, problem: Problem): VectorAccess {
  if (!isObject(a)) throw problem(key, "must be an object");
  const va = u32(a.va, `${key}.va`, problem);
  const size = oneOf(a.size, [1, 2, 4] as const, `${key}.size`, "must be 1, 2 or 4", problem);
  if (typeof a.write !== "boolean") throw problem(`${key}.write`, "must be true or false");
  const cpl = oneOf(a.cpl, [0, 3] as const, `${key}.cpl`, "must be 0 or 3", problem);
  if (a.value !== undefined) u32(a.value, `${key}.value`, problem);
  return { va, size, write: a.write, cpl, value: a.value as number | undefined };
}

function checkOutcome(o: unknown, key: string, problem: Problem): AccessOutcome {
  if (!isObject(o)) throw problem(key, "must be an object");
  if (o.ok === true) {
    if (!Array.isArray(o.phys) || o.phys.length < 1 || o.phys.length > 2) throw problem(`${key}.phys`, "must be an array of one or two addresses");
    return { ok: true, phys: o.phys.map((p: unknown, i: number) => u32(p, `${key}.phys[${i}]`, problem)) };
  }
  if (o.ok === false) {
    const code = u32(o.error_code, `${key}.error_code`, problem);
    return { ok: false, error_code: code, cr2: u32(o.cr2, `${key}.cr2`, problem) };
  }
  throw problem(`${key}.ok`, "must be true or false");
}

/** An array of [address, value] pairs: aligned 32-bit words inside physical memory. */
function words(v: unknown, key: string, physBytes: number, problem: Problem): Word[] {
  if (!Array.isArray(v)) throw problem(key, "must be an array of [address, value] pairs");
  return v.map((pair: unknown, i: number) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw problem(`${key}[${i}]`, "must be an [address, value] pair");
    const address = u32(pair[0], `${key}[${i}][0]`, problem);
    if (address % 4 !== 0 || address + 4 > physBytes) throw problem(`${key}[${i}][0]`, "must be a 4-byte aligned address inside physical memory");
    return [address, u32(pair[1], `${key}[${i}][1]`, problem)] as const;
  });
}

function sameAddresses(list: Word[], init: readonly Word[], key: string, problem: Problem): Word[] {
  if (list.length !== init.length) throw problem(key, `must list the ${init.length} init addresses`);
  list.forEach(([address], i) => {
    if (address !== init[i][0]) throw problem(`${key}[${i}][0]`, `must be ${init[i][0]}, the address of init[${i}]`);
  });
  return list;
}

function u32(v: unknown, key: string, problem: Problem): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw problem(key, "must be an integer in 0..4294967295");
  return v;
}

function oneOf<T extends number>(v: unknown, allowed: readonly T[], key: string, what: string, problem: Problem): T {
  if (!allowed.includes(v as T)) throw problem(key, what);
  return v as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `:line` of the scenario with id `id` that follows `earlier` others with it, or "" if it cannot be found. */
function lineOfId(text: string, id: string, earlier: number): string {
  const quoted = JSON.stringify(id).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`"id"\\s*:\\s*${quoted}`, "g");
  let match = pattern.exec(text);
  for (let n = 0; n < earlier && match !== null; n++) match = pattern.exec(text);
  return match === null ? "" : `:${lineAt(text, match.index)}`;
}

/** JSON.parse's complaint on one line, without the copy of the source V8 appends to some. */
function jsonErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const snippet = /^(Unexpected token '.+?'), .*is not valid JSON$/s.exec(message);
  return snippet !== null ? snippet[1] : message.split("\n")[0];
}

/** `:line:column` of a JSON.parse error, when its message gives a position. */
function jsonErrorPlace(text: string, e: unknown): string {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : "");
  if (m === null) return "";
  const pos = Number(m[1]);
  return `:${lineAt(text, pos)}:${pos - text.lastIndexOf("\n", pos - 1)}`;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
