/**
 * What the library refuses before the machine or the kernel sees it: a
 * SystemConfig field or a System call argument a caller got wrong (a
 * policy that does not exist, a cap of zero frames, a negative length, an
 * unaligned mmap). Each is a SystemUsageError naming the field, with the
 * phrase the command line uses for the same value (machine-checks.ts holds
 * the one definition of each range). What the kernel may legitimately
 * refuse (a brk past the heap, an mmap over a mapping) stays a `false`.
 */

import { PAGE_SIZE } from "../machine/i386.js";
import { InputError } from "../machine/input-error.js";
import { PROT } from "../kernel/vmm.js";
import {
  checkCpuName,
  checkPidMax,
  checkSeed,
  checkSwapBytes,
  checkTlb,
  checkUserFrames,
  showNumber,
} from "./scenario/machine-checks.js";
import { checkPolicyChoice, choiceNeedsFuture, policyLabel, type PolicyChoice } from "./policy-spec.js";

/** A caller's mistake: `field` names the config field or call argument ("userFrames", "mmap: prot"). */
export class SystemUsageError extends InputError {
  override name = "SystemUsageError";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(detail, field);
  }
}

/** Throws SystemUsageError for the first field of `config` that is wrong; ranges the machine checks (RAM) are left to it. */
export function checkSystemConfig(config: unknown): void {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new SystemUsageError("config", `${config === null ? "null" : typeof config} is not a SystemConfig object`);
  }
  const c = config as Record<string, unknown>;
  const fail = (field: string, detail: string | null): void => {
    if (detail !== null) throw new SystemUsageError(field, detail);
  };
  fail("ramBytes", typeof c.ramBytes === "number" && Number.isSafeInteger(c.ramBytes) ? null : `${show(c.ramBytes)} is not a byte count`);
  if (c.swapBytes !== undefined) fail("swapBytes", typeof c.swapBytes === "number" ? checkSwapBytes(c.swapBytes) : notA("byte count", c.swapBytes));
  if (c.swapImage !== undefined) fail("swapImage", typeof c.swapImage === "string" && c.swapImage !== "" ? null : notA("file path", c.swapImage));
  if (c.cpu !== undefined) fail("cpu", typeof c.cpu === "string" ? checkCpuName(c.cpu) : notA("CPU name", c.cpu));
  if (c.policy !== undefined) fail("policy", checkPolicyChoice(c.policy));
  if (c.policy !== undefined && choiceNeedsFuture(c.policy as PolicyChoice) && c.future === undefined) {
    fail("policy", `${policyLabel(c.policy as PolicyChoice)} needs the run's future: give \`future\` (a next-use oracle), or replay a trace`);
  }
  if (c.tlb !== undefined && c.tlb !== "off") fail("tlb", tlbProblem(c.tlb));
  if (c.userFrames !== undefined) fail("userFrames", typeof c.userFrames === "number" ? checkUserFrames(c.userFrames) : notA("whole number", c.userFrames));
  if (c.seed !== undefined) fail("seed", typeof c.seed === "number" ? checkSeed(c.seed) : notA("whole number", c.seed));
  if (c.pidMax !== undefined) fail("pidMax", typeof c.pidMax === "number" ? checkPidMax(c.pidMax) : notA("whole number", c.pidMax));
  if (c.maxTrackedRamBytes !== undefined) fail("maxTrackedRamBytes", trackedRamProblem(c.maxTrackedRamBytes));
  for (const flag of ["strictTlb", "checkInvariants"]) {
    if (c[flag] !== undefined && typeof c[flag] !== "boolean") fail(flag, notA("boolean", c[flag]));
  }
  if (c.cmdline !== undefined && typeof c.cmdline !== "string") fail("cmdline", notA("string", c.cmdline));
  if (c.modules !== undefined && !Array.isArray(c.modules)) fail("modules", notA("list of modules", c.modules));
}

function tlbProblem(tlb: unknown): string | null {
  const t = tlb as { entries?: unknown; ways?: unknown } | null;
  if (t === null || typeof t !== "object" || typeof t.entries !== "number" || typeof t.ways !== "number") {
    return `${show(tlb)} is not "off" or {entries, ways}`;
  }
  return checkTlb(t.entries, t.ways);
}

function trackedRamProblem(bytes: unknown): string | null {
  if (typeof bytes !== "number" || Number.isNaN(bytes)) return notA("byte count", bytes);
  return bytes >= PAGE_SIZE ? null : `${showNumber(bytes)} tracks no frame (at least 4096 bytes)`;
}

function notA(what: string, value: unknown): string {
  return `${show(value)} is not a ${what}`;
}

function show(value: unknown): string {
  if (typeof value === "number") return showNumber(value);
  if (typeof value === "string") return JSON.stringify(value);
  return value === null ? "null" : typeof value === "object" ? (Array.isArray(value) ? "a list" : "an object") : String(value);
}

/** Throws unless `va` is a 32-bit linear address (a whole number in 0..0xFFFFFFFF). */
export function checkAddress(call: string, va: number): void {
  if (va >>> 0 !== va) throw new SystemUsageError(`${call}: va`, `${show(va)} is not a 32-bit address (0 to 0xFFFFFFFF)`);
}

/** Throws unless `len` is a byte count that keeps [va, va+len) inside the 32-bit space (0 allowed when `empty`). */
export function checkLength(call: string, field: string, va: number, len: number, empty: boolean): void {
  const min = empty ? 0 : 1;
  if (!Number.isSafeInteger(len) || len < min) throw new SystemUsageError(`${call}: ${field}`, `${show(len)} is not a length (a whole number, at least ${min})`);
  if (va + len > 0x1_0000_0000) throw new SystemUsageError(`${call}: ${field}`, `0x${va.toString(16)} + ${len} bytes runs past 4 GiB`);
}

/** Throws unless `va` is on a page boundary, as mmap and munmap need (Linux says EINVAL). */
export function checkPageAligned(call: string, va: number): void {
  checkAddress(call, va);
  if (va % PAGE_SIZE !== 0) throw new SystemUsageError(`${call}: va`, pageAlignmentProblem(va));
}

/** The phrase for an address off a page boundary (scenario files say the same). */
export function pageAlignmentProblem(va: number): string {
  return `0x${va.toString(16).padStart(8, "0")} is not on a page boundary (a multiple of 4K)`;
}

/**
 * Throws unless `prot` is PROT.READ, optionally with PROT.WRITE: an i386
 * PTE cannot make a present page unreadable, so PROT_NONE (0) has no
 * meaning here, and other bits none either.
 */
export function checkProt(call: string, prot: number): void {
  // PROT.WRITE alone is read-write, as on x86, where a writable page is readable.
  if (prot === PROT.READ || prot === (PROT.READ | PROT.WRITE) || prot === PROT.WRITE) return;
  const why = prot === 0 ? "PROT_NONE cannot be expressed: an i386 PTE has no bit that makes a present page unreadable" : "only PROT.READ and PROT.WRITE exist";
  throw new SystemUsageError(`${call}: prot`, `${show(prot)}: ${why}`);
}

/** Throws unless `n` is a whole number at least `min` (ticks, exit codes). */
export function checkCount(field: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min) throw new SystemUsageError(field, `${show(n)} is not a whole number of at least ${min}`);
}
