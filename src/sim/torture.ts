/**
 * The torture driver: random fork, exit, reads and writes (bytes, words,
 * runs, real data), brk, mmap, munmap, copy-out and copy-in across several
 * processes on a machine small enough to swap hard, every byte read checked
 * against the reference model and the kernel's invariant checker run after
 * every step. At the end every process exits and every user frame and swap
 * slot must be free again.
 *
 * The operations and their decoder live in torture-ops.ts; the model in
 * reference-model.ts. The same driver serves the property test (fast-check
 * sequences) and `vmm386 torture` (a seeded generator).
 */

import { ACCESS, PAGE_SIZE } from "../machine/i386.js";
import { USER_CODE_BASE, USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../kernel/layout.js";
import type { PolicyChoice } from "./policy-spec.js";
import type { CpuName } from "../machine/cpu-model.js";
import type { BlockDevice } from "../machine/block-device.js";
import { MIB } from "../machine/units.js";
import { STRADDLE_LIVELOCK } from "./cpu.js";
import { type ModelProcess, ReferenceModel } from "./reference-model.js";
import { PROT, System, type SystemStats } from "./system.js";
import { IMAGE_BASE, SHARED_SLOTS, SLOT_PAGES, STACK_PAGES, type Target, type TortureOp, wildAddress } from "./torture-ops.js";

export { type RawOp, type Target, type TortureOp, decodeOp, randomOps } from "./torture-ops.js";


/** The machine torture builds when its caller names none: small, so that it swaps hard. */
export const TORTURE_MACHINE = { ramBytes: 2 * MIB, swapBytes: 8 * MIB, cpu: "i386", policy: "clock", seed: 1 } as const satisfies Partial<TortureConfig>;

/** Running processes at most when the caller names no limit. */
export const TORTURE_MAX_PROCESSES = 6;

/** How to build the machine under torture. */
export interface TortureConfig {
  readonly ramBytes: number;
  readonly swapBytes: number;
  readonly policy?: PolicyChoice;
  readonly cpu?: CpuName;
  /** Cap on resident user pages, to swap hard even with more RAM. */
  readonly userFrames?: number;
  /** Swap on this device instead of a temporary image. */
  readonly swapDevice?: BlockDevice;
  /** Run the kernel's invariant checker after every operation (default true). */
  readonly checkInvariants?: boolean;
  /** Running processes at most (default TORTURE_MAX_PROCESSES). */
  readonly maxProcesses?: number;
  /** Check every TLB-served access against the page tables: a stale entry is a missing invalidation. */
  readonly strictTlb?: boolean;
  /**
   * Count operations that failed because the kernel ran out of memory
   * (vmm386 alloc_failed rose) as `outOfMemory` instead of mismatches: for machines too
   * small for the load. Such a process is killed in the System and the model
   * alike. Default false: on the test machines running out is a bug.
   */
  readonly allowOutOfMemory?: boolean;
  /**
   * Excuse the death of a process whose swap-in failed (vmm386 swpin_failed
   * rose): for swap devices with injected read errors. The others — sharers
   * of the same slot included — must still read exactly their data.
   */
  readonly allowSwapInFailures?: boolean;
  readonly seed?: number;
}

/** What a torture run found. Zero mismatches, violations and leaks is a pass. */
export interface TortureSummary {
  ops: number;
  mismatches: number;
  invariantViolations: number;
  leakedFrames: number;
  leakedSlots: number;
  /** Operations that failed for lack of memory (only with allowOutOfMemory; else they are mismatches). */
  outOfMemory: number;
  /** Processes lost to a failed swap-in (only with allowSwapInFailures; else they are mismatches). */
  swapInFailures: number;
  /** Accesses served by a stale TLB entry (strict TLB mode only): missing invalidations. */
  staleTlbHits: number;
  processes: { spawned: number; forked: number; exited: number; killed: number; forkFailed: number };
  faults: SystemStats["faults"];
  vmstat: SystemStats["vmstat"];
  vmm386: SystemStats["vmm386"];
  seed: number | null;
  /** The first problems found (at most MAX_PROBLEMS), one line each. */
  problems: string[];
}

const MAX_PROBLEMS = 20;

export class TortureDriver {
  readonly system: System;
  readonly model = new ReferenceModel();
  readonly summary: TortureSummary;
  private readonly maxProcesses: number;
  private readonly checkInvariants: boolean;
  private readonly baselineFreeFrames: number;
  private readonly allowOutOfMemory: boolean;
  private readonly allowSwapInFailures: boolean;
  private step = 0;
  /** The length of the access `resolve` last placed. */
  private resolvedSize = 0;
  /** vmm386 alloc_failed and swpin_failed before the current operation. */
  private allocFailedBefore = 0;
  private swapInFailedBefore = 0;

  constructor(config: TortureConfig) {
    this.system = System.create({
      ramBytes: config.ramBytes,
      swapBytes: config.swapBytes,
      swapDevice: config.swapDevice,
      policy: config.policy,
      cpu: config.cpu,
      userFrames: config.userFrames,
      strictTlb: config.strictTlb,
      seed: config.seed,
    });
    this.maxProcesses = config.maxProcesses ?? TORTURE_MAX_PROCESSES;
    this.checkInvariants = config.checkInvariants ?? true;
    this.allowOutOfMemory = config.allowOutOfMemory ?? false;
    this.allowSwapInFailures = config.allowSwapInFailures ?? false;
    this.baselineFreeFrames = this.system.vmm.freeFrames;
    const stats = this.system.stats();
    this.summary = {
      ops: 0,
      mismatches: 0,
      invariantViolations: 0,
      leakedFrames: 0,
      leakedSlots: 0,
      outOfMemory: 0,
      swapInFailures: 0,
      staleTlbHits: 0,
      processes: { spawned: 0, forked: 0, exited: 0, killed: 0, forkFailed: 0 },
      faults: stats.faults,
      vmstat: stats.vmstat,
      vmm386: stats.vmm386,
      seed: config.seed ?? null,
      problems: [],
    };
  }

  /** Plays one operation on the System and the model and compares them. */
  run(op: TortureOp): void {
    this.step++;
    this.summary.ops++;
    this.allocFailedBefore = this.system.vmm.vmm386.alloc_failed;
    this.swapInFailedBefore = this.system.vmm.vmm386.swpin_failed;
    this.apply(op);
    if (this.checkInvariants) this.checkKernel();
  }

  /** Ends every process, checks nothing leaked, closes the System; returns the summary. */
  finish(): TortureSummary {
    for (const pid of this.system.runningPids()) {
      this.system.exit(pid, 0);
      this.model.remove(pid);
      this.summary.processes.exited++;
    }
    this.checkKernel();
    const vmm = this.system.vmm;
    this.summary.leakedFrames = this.baselineFreeFrames - vmm.freeFrames;
    this.summary.leakedSlots = vmm.swap?.usedSlots ?? 0;
    if (this.summary.leakedFrames !== 0) this.problem(`${this.summary.leakedFrames} frames not free after every process exited`);
    if (this.summary.leakedSlots !== 0) this.problem(`${this.summary.leakedSlots} swap slots still used after every process exited`);
    if (this.system.panic !== null) this.problem(`kernel panic: ${this.system.panic.reason}`);
    const mmu = this.system.machine.mmu;
    this.summary.staleTlbHits = mmu.strictViolationCount;
    for (const v of mmu.strictViolations.slice(0, 3)) this.problem(`stale TLB entry: ${v.message}`);
    const stats = this.system.stats();
    this.summary.faults = stats.faults;
    this.summary.vmstat = stats.vmstat;
    this.summary.vmm386 = stats.vmm386;
    this.system.close();
    return this.summary;
  }

  /** True when nothing has gone wrong so far. */
  get clean(): boolean {
    return (
      this.summary.mismatches === 0 &&
      this.summary.invariantViolations === 0 &&
      this.system.panic === null &&
      this.system.machine.mmu.strictViolationCount === 0
    );
  }

  private apply(op: TortureOp): void {
    if (op.kind === "tick") {
      this.system.tick(op.n);
      return;
    }
    if (op.kind === "spawn") {
      if (this.system.runningCount < this.maxProcesses) this.spawn();
      return;
    }
    const pid = this.pick(op.proc);
    if (pid === null) return;
    switch (op.kind) {
      case "fork":
        return this.fork(pid);
      case "exit":
        this.system.exit(pid, 0);
        this.model.remove(pid);
        this.summary.processes.exited++;
        return;
      case "brk":
        return this.expect(op, this.system.brk(pid, USER_HEAP_BASE + op.pages * PAGE_SIZE), this.model.brk(pid, USER_HEAP_BASE + op.pages * PAGE_SIZE), pid);
      case "mmap": {
        const va = USER_SHARED_BASE + op.slot * SLOT_PAGES * PAGE_SIZE;
        const len = op.pages * PAGE_SIZE;
        const prot = op.writable ? PROT.READ | PROT.WRITE : PROT.READ;
        return this.expect(op, this.system.mmap(pid, va, len, prot), this.model.mmap(pid, va, len, op.writable), pid);
      }
      case "mapImage": {
        const va = IMAGE_BASE + op.slot * SLOT_PAGES * PAGE_SIZE;
        const len = op.pages * PAGE_SIZE;
        const prot = op.writable ? PROT.READ | PROT.WRITE : PROT.READ;
        return this.expect(op, this.system.mapImage(pid, va, len, prot), this.model.mapImage(pid, va, len, op.writable), pid);
      }
      case "munmap": {
        // Slots 0..SHARED_SLOTS-1 are mmap's, the next ones the image's.
        const inImage = op.slot >= SHARED_SLOTS;
        const base = inImage ? IMAGE_BASE : USER_SHARED_BASE;
        const va = base + (op.slot % SHARED_SLOTS) * SLOT_PAGES * PAGE_SIZE;
        const len = op.pages * PAGE_SIZE;
        return this.expect(op, this.system.munmap(pid, va, len), this.model.munmap(pid, va, len));
      }
      case "read":
      case "write":
      case "touch":
        return this.access(op, pid);
      case "copyOut":
        return this.copyOut(op, pid);
      case "copyIn":
        return this.copyIn(op, pid);
    }
  }

  private spawn(): void {
    const pid = this.system.spawn();
    if (pid === null) {
      if (!this.excused()) this.mismatch("spawn", "the kernel refused to create an address space");
      return;
    }
    this.model.spawn(pid);
    this.summary.processes.spawned++;
  }

  private fork(pid: number): void {
    if (this.system.runningCount >= this.maxProcesses) return;
    const child = this.system.fork(pid);
    if (child === null) {
      // Running out of page-table frames is legitimate; losing the parent is not.
      this.summary.processes.forkFailed++;
      return;
    }
    this.model.fork(pid, child);
    this.summary.processes.forked++;
  }

  /** The running process at index `proc` (modulo), spawning one when none runs. */
  private pick(proc: number): number | null {
    if (this.system.runningCount === 0) this.spawn();
    const running = this.system.runningCount;
    return running === 0 ? null : this.system.runningPidAt(proc % running);
  }

  /** read / write / touch: the System and the model must agree on data and on life or death. */
  private access(op: Extract<TortureOp, { at: Target }>, pid: number): void {
    const write = op.kind === "write" || (op.kind === "touch" && op.write);
    const va = this.resolve(pid, op.at, op.size, write);
    const size = this.resolvedSize;
    const allowed = this.model.rangeAllows(pid, va, size, write);
    let alive: boolean;
    if (op.kind === "touch") {
      alive = this.system.access(pid, va, size, write ? ACCESS.USER_WRITE : ACCESS.USER_READ);
    } else if (op.kind === "write") {
      alive = this.write(pid, va, size, op.value, allowed);
    } else {
      alive = this.read(op, pid, va, size, allowed);
    }
    this.expectLife(op, pid, va, allowed, alive);
  }

  /** Writes the pattern of `value` through the System and, when the access is legal, into the model; false if the process died. */
  private write(pid: number, va: number, size: number, value: number, allowed: boolean): boolean {
    const bytes = pattern(size, value);
    let alive: boolean;
    if (size === 1) alive = this.system.write8(pid, va, bytes[0]);
    else if (size === 4) alive = this.system.write32(pid, va, bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24));
    else alive = this.system.writeBytes(pid, va, bytes);
    if (allowed) this.model.write(pid, va, bytes);
    return alive;
  }

  /** Reads through the System and, when the access is legal, checks every byte against the model; false if the process died. */
  private read(op: TortureOp, pid: number, va: number, size: number, allowed: boolean): boolean {
    if (size === 1 || size === 4) {
      // Bytes and words come back as numbers: compared as they are, with no array in between.
      const v = size === 1 ? this.system.read8(pid, va) : this.system.read32(pid, va);
      if (v === null) return false;
      if (allowed) this.compareWord(op, pid, va, v, size);
      return true;
    }
    const got = this.system.readBytes(pid, va, size);
    if (got === null) return false;
    if (allowed) this.compare(op, pid, va, got);
    return true;
  }

  /** copy-out writes pages up to the first one the process may not write; the process lives on. */
  private copyOut(op: Extract<TortureOp, { kind: "copyOut" }>, pid: number): void {
    const va = this.resolve(pid, op.at, op.size, true);
    const bytes = pattern(this.resolvedSize, op.value);
    const got = this.system.copyOut(pid, va, bytes);
    const expected = this.modelCopyOut(pid, va, bytes);
    this.expect(op, got, expected, pid);
    if (this.model.has(pid)) this.expectLife(op, pid, va, true, this.system.isRunning(pid));
  }

  private modelCopyOut(pid: number, va: number, bytes: Uint8Array): boolean {
    if (va < USER_CODE_BASE || va + bytes.length > USER_STACK_TOP) return false;
    let done = 0;
    while (done < bytes.length) {
      const a = va + done;
      const n = Math.min(PAGE_SIZE - (a % PAGE_SIZE), bytes.length - done);
      if (!this.model.pageAllows(pid, a, true)) return false;
      this.model.write(pid, a, bytes.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  private copyIn(op: Extract<TortureOp, { kind: "copyIn" }>, pid: number): void {
    const va = this.resolve(pid, op.at, op.size, false);
    const size = this.resolvedSize;
    const got = this.system.copyIn(pid, va, size);
    const allowed = va >= USER_CODE_BASE && va + size <= USER_STACK_TOP && this.model.rangeAllows(pid, va, size, false);
    this.expect(op, got !== null, allowed, pid);
    if (!this.model.has(pid)) return;
    if (got !== null && allowed) this.compare(op, pid, va, got);
    this.expectLife(op, pid, va, true, this.system.isRunning(pid));
  }

  /**
   * The address of an access (its length, which may shrink, left in
   * `resolvedSize`): a page the process may use in the chosen region
   * (falling back to the stack), kept inside what it may touch — except for
   * "wild" targets, which aim where it must fault.
   */
  private resolve(pid: number, at: Target, size: number, write: boolean): number {
    const p = this.model.get(pid);
    this.resolvedSize = size;
    if (at.region === "wild") return wildAddress(at, p.heapBreak);
    const base = this.pageBase(p, at, write);
    let va = base + at.offset;
    if (!this.model.rangeAllows(pid, va, size, write)) {
      // Stay on legal ground: pull the access back into its own page.
      if (size <= PAGE_SIZE) va = base + Math.min(at.offset, PAGE_SIZE - size);
      else this.resolvedSize = PAGE_SIZE - at.offset;
    }
    return va;
  }

  /** The page `at` aims at: a heap page below the break, a mapped page of its region (writable for a write), else a stack page. */
  private pageBase(p: ModelProcess, at: Target, write: boolean): number {
    const heapPages = (p.heapBreak - USER_HEAP_BASE) / PAGE_SIZE;
    if (at.region === "heap" && heapPages > 0) return USER_HEAP_BASE + (at.page % heapPages) * PAGE_SIZE;
    if (at.region === "shared" || at.region === "image") {
      // The at.page-th (modulo) of the region's eligible pages in mapping order, counted twice rather than listed.
      const shared = at.region === "shared";
      const eligible = (vpn: number, writable: boolean): boolean => (writable || !write) && vpn * PAGE_SIZE >= USER_SHARED_BASE === shared;
      let count = 0;
      for (const [vpn, w] of p.mapped) if (eligible(vpn, w)) count++;
      if (count > 0) {
        let n = at.page % count;
        for (const [vpn, w] of p.mapped) if (eligible(vpn, w) && n-- === 0) return vpn * PAGE_SIZE;
      }
    }
    return USER_STACK_TOP - (1 + (at.page % STACK_PAGES)) * PAGE_SIZE;
  }

  /** The System's answer must be the model's, unless an excused failure struck: then the process is dropped. */
  private expect(op: TortureOp, got: boolean, expected: boolean, pid?: number): void {
    if (got === expected) return;
    if (pid !== undefined && this.excused()) {
      this.system.kill(pid, "torture: dropped after an excused failure");
      this.model.remove(pid);
      this.summary.processes.killed++;
      return;
    }
    this.mismatch(describe(op), `returned ${got}, the model expects ${expected}`);
  }

  /**
   * True (and counted) when this operation failed for an allowed reason: the
   * kernel ran out of memory, a straddling access found no room for both its
   * pages (killing `pid`), or a swap-in read failed.
   */
  private excused(pid?: number): boolean {
    const stat = this.system.vmm.vmm386;
    if (this.allowSwapInFailures && stat.swpin_failed !== this.swapInFailedBefore) {
      this.summary.swapInFailures++;
      return true;
    }
    if (!this.allowOutOfMemory) return false;
    const status = pid === undefined ? null : this.system.process(pid).status;
    if (stat.alloc_failed !== this.allocFailedBefore || (status?.state === "killed" && status.report.reason === STRADDLE_LIVELOCK)) {
      this.summary.outOfMemory++;
      return true;
    }
    return false;
  }

  /** An access the model allows must leave the process running; one it forbids must kill it. */
  private expectLife(op: TortureOp, pid: number, va: number, allowed: boolean, alive: boolean): void {
    if (allowed && !alive && this.excused(pid)) {
      // Killed by an allowed failure (memory too small, swap read error), not by a lost page.
    } else if (allowed && !alive) {
      const status = this.system.process(pid).status;
      const why = status.state === "killed" ? status.report.reason : status.state;
      this.mismatch(describe(op), `pid ${pid} at ${hex(va)} died (${why}) though the access was legal`);
    } else if (!allowed && alive) {
      this.mismatch(describe(op), `pid ${pid} at ${hex(va)} survived an illegal access`);
    }
    if (!alive) {
      this.model.remove(pid);
      this.summary.processes.killed++;
    }
  }

  /** Every byte of `got` (read at `va`) must be the model's. */
  private compare(op: TortureOp, pid: number, va: number, got: Uint8Array): void {
    const i = this.model.differsAt(pid, va, got);
    if (i >= 0) this.byteMismatch(op, pid, va + i, got[i]);
  }

  /** The `size` bytes (1 or 4) of the little-endian value `v` read at `va` must be the model's. */
  private compareWord(op: TortureOp, pid: number, va: number, v: number, size: number): void {
    for (let i = 0; i < size; i++) {
      const byte = (v >>> (8 * i)) & 0xff;
      if (byte !== this.model.byteAt(pid, va + i)) return this.byteMismatch(op, pid, va + i, byte);
    }
  }

  private byteMismatch(op: TortureOp, pid: number, va: number, got: number): void {
    this.mismatch(describe(op), `pid ${pid} byte at ${hex(va)} is ${got}, the model says ${this.model.byteAt(pid, va)}`);
  }

  private checkKernel(): void {
    const violations = this.system.vmm.checkInvariants();
    if (violations.length === 0) return;
    this.summary.invariantViolations += violations.length;
    for (const v of violations.slice(0, 3)) this.problem(`step ${this.step}: invariant: ${JSON.stringify(v)}`);
  }

  private mismatch(what: string, detail: string): void {
    this.summary.mismatches++;
    this.problem(`step ${this.step}: ${what}: ${detail}`);
  }

  private problem(line: string): void {
    if (this.summary.problems.length < MAX_PROBLEMS) this.summary.problems.push(line);
  }
}

/** Plays `ops` on a fresh machine and returns the summary (the property test's and the CLI's entry). */
export function runTorture(config: TortureConfig, ops: Iterable<TortureOp>, stopOnFirstProblem = false): TortureSummary {
  const driver = new TortureDriver(config);
  for (const op of ops) {
    driver.run(op);
    if (stopOnFirstProblem && !driver.clean) break;
  }
  return driver.finish();
}

/** What a run lost: mismatches, invariant violations, leaked frames and slots, stale TLB hits and other problems; 0 is a pass. */
export function tortureLosses(s: TortureSummary): number {
  return s.mismatches + s.invariantViolations + s.leakedFrames + s.leakedSlots + s.staleTlbHits + s.problems.length;
}

/** Where `pattern` writes: reused, since each pattern is copied (into the System and the model) before the next is made. */
let patternBytes = new Uint8Array(8192);

/** `size` bytes derived from `value`, different at every position (a view of a buffer the next call overwrites). */
function pattern(size: number, value: number): Uint8Array {
  if (size > patternBytes.length) patternBytes = new Uint8Array(size);
  const out = patternBytes.subarray(0, size);
  for (let i = 0; i < size; i++) out[i] = (value + i * 131 + (i >>> 8)) & 0xff;
  return out;
}

function describe(op: TortureOp): string {
  return JSON.stringify(op);
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
