/**
 * A System is a machine, the kernel's VMM booted on it, and the processes
 * that are the kernel's clients. It offers what a CPU and a system-call
 * layer would: user reads and writes with real data (and a data-less access
 * for trace replay), fork, exit, brk, mmap, munmap, copy-in and copy-out,
 * scheduling, and timer ticks.
 *
 * Nothing escapes to the host: a user fault the kernel cannot resolve kills
 * that process with a FaultReport and the others go on; a supervisor fault
 * is a kernel panic, recorded with the same detail, after which the System
 * refuses further work. Calls on a process that has ended return false/null.
 *
 * A caller's mistake is not the kernel's to judge: a bad SystemConfig field
 * or call argument (system-checks.ts), or any call on a closed System,
 * throws SystemUsageError naming it.
 */

import type { Machine } from "../machine/machine.js";
import { ACCESS, PAGE_SIZE, PF, type AccessKind } from "../machine/i386.js";
import { type BlockDevice, DiskFormatError } from "../machine/block-device.js";
import { findSwapArea, readPartitionTable } from "../machine/mbr.js";
import { PROT, Vmm, type AddressSpace } from "../kernel/vmm.js";
import { policyFactory } from "./policy-spec.js";
import { USER_CODE_BASE, USER_STACK_TOP } from "../kernel/layout.js";
import { DEAD, UserCpu } from "./cpu.js";
import { Process, type FaultReport, type ProcessInfo } from "./process.js";
import { openSwapImage, type SwapImage } from "./swap-image.js";
import { type PolicyView, type ViewedProcess, policyView } from "./policy-view.js";
import {
  SystemUsageError,
  checkAddress,
  checkCount,
  checkLength,
  checkPageAligned,
  checkProt,
  checkSystemConfig,
} from "./system-checks.js";
import { createBootMachine } from "./boot-machine.js";
import type { SystemConfig } from "./system-config.js";
import { tlbStats, type SystemStats } from "./system-stats.js";

export type { FaultReport, ProcessInfo, ProcessStatus } from "./process.js";

export { DEFAULT_CPU } from "./machine-settings.js";
export type { BootModule, BootOrigins, MachineSettings, SystemConfig } from "./system-config.js";
export type { SystemStats, TaskStats, TlbStats } from "./system-stats.js";

/** The pid limit when a config names none: Linux's default pid_max. */
export const DEFAULT_PID_MAX = 32_768;

/**
 * Why the last fork failed, in Linux's errno names: EAGAIN at the pid limit
 * (fork(2) at pid_max), ENOMEM when the kernel had no memory for the child's
 * address space, ESRCH when the parent was not running.
 */
export type ForkError = "EAGAIN" | "ENOMEM" | "ESRCH";

/** mmap protections (the kernel's: PROT.WRITE is the PTE's R/W bit). */
export { PROT } from "../kernel/vmm.js";

export class System {
  readonly config: SystemConfig;
  readonly machine: Machine;
  readonly vmm: Vmm;
  /** The kernel panic, if one happened: the System then refuses all work. */
  panic: FaultReport | null = null;

  private readonly cpu: UserCpu;
  private readonly swap: SwapImage;
  /** Every process ever created, by pid. */
  private readonly processes = new Map<number, Process>();
  /** The running ones, in pid order. */
  private readonly live = new Map<number, Process>();
  private nextPid = 1;
  /** At most this many processes at once: pidMax - 1. */
  private readonly maxProcesses: number;
  private peakProcesses = 0;
  private forkFailed = 0;
  private forkFailedAtPidLimit = 0;
  private lastForkError: ForkError | null = null;
  /** The process whose address space is loaded in CR3 (0: none of ours). */
  private currentPid = 0;
  private accesses = 0;
  private ticks = 0;
  private closed = false;

  private constructor(config: SystemConfig, machine: Machine, vmm: Vmm, swap: SwapImage) {
    this.config = config;
    this.machine = machine;
    this.vmm = vmm;
    this.swap = swap;
    this.cpu = new UserCpu(machine.memory, machine.mmu, vmm, vmm.observesReferences);
    this.maxProcesses = (config.pidMax ?? DEFAULT_PID_MAX) - 1;
  }

  /**
   * Builds the machine, opens (or creates) the swap disk and boots the kernel
   * on it. Throws MemoryConfigError (bad RAM size or machine; a module,
   * command line or framebuffer the machine refuses, prefixed with its
   * bootOrigins place), BootError (the kernel cannot boot in that RAM),
   * DiskFormatError (a swap disk without a swap partition), ImageInUseError
   * (another vmm386 swaps on the image), the host's error for an image that
   * cannot be opened, or SystemUsageError (a field out of range).
   */
  static create(config: SystemConfig): System {
    checkSystemConfig(config);
    const swap = openSwapImage({ device: config.swapDevice, imagePath: config.swapImage, swapBytes: config.swapBytes });
    try {
      const machine = createBootMachine(config);
      const vmm = Vmm.boot(machine, {
        policy: config.policy === undefined ? undefined : policyFactory(config.policy),
        userFrameLimit: config.userFrames,
        swap: swap.device,
        checkInvariants: config.checkInvariants ?? false,
        future: config.future,
        maxTrackedRamBytes: config.maxTrackedRamBytes,
        swapLatency: config.swapLatency,
        throttle: config.throttle,
      });
      if (swap.device !== null && vmm.swap === null) throw new DiskFormatError(`${swap.device.name}: ${missingSwapReason(swap.device)}`);
      return new System(config, machine, vmm, swap);
    } catch (e) {
      swap.close();
      throw e;
    }
  }

  /** A new process with an empty address space; null at the pid limit or if the kernel has no memory for one. */
  spawn(): number | null {
    this.checkOpen("spawn");
    if (this.panic !== null || this.live.size >= this.maxProcesses) return null;
    const space = this.vmm.createAddressSpace();
    if (space === null) return null;
    return this.adopt(space, 0);
  }

  /**
   * fork: the child's memory is a COW copy of the parent's. Null, with
   * forkError saying why, if the parent is not running, at the pid limit,
   * or when memory ran out; the failure is counted in stats().tasks.
   */
  fork(pid: number): number | null {
    const parent = this.running(pid, "fork");
    if (parent === null) return this.forkFailure("ESRCH");
    if (this.live.size >= this.maxProcesses) return this.forkFailure("EAGAIN");
    const space = this.vmm.cloneAddressSpace(parent.space as AddressSpace);
    if (space === null) return this.forkFailure("ENOMEM");
    this.lastForkError = null;
    return this.adopt(space, pid);
  }

  /** Why the last fork() returned null; null after one that made a child. */
  get forkError(): ForkError | null {
    return this.lastForkError;
  }

  /** Processes running now (as runningPids().length, without the list). */
  get runningCount(): number {
    return this.live.size;
  }

  /** The process ends with `code`; its memory goes back to the kernel. */
  exit(pid: number, code = 0): void {
    const p = this.running(pid, "exit");
    if (p === null) return;
    this.end(p, { state: "exited", code });
  }

  /** Kills the process from outside (a signal, not a fault): reported as killed with `reason`. */
  kill(pid: number, reason = "killed"): void {
    const p = this.running(pid, "kill");
    if (p === null) return;
    this.end(p, {
      state: "killed",
      report: { pid, address: 0, errorCode: 0, access: "read", mode: "user", reason },
    });
  }

  /** Schedules `pid`: its address space is loaded (CR3) unless it already is. False if not running. */
  switchTo(pid: number): boolean {
    return this.switchFor(pid, "switchTo");
  }

  /** switchTo on behalf of `call` (the method a closed System's refusal names). */
  private switchFor(pid: number, call: string): boolean {
    this.checkOpen(call);
    if (pid === this.currentPid) return this.processes.get(pid)?.running ?? false;
    const p = this.running(pid, call);
    if (p === null) return false;
    this.vmm.switchAddressSpace(p.space as AddressSpace);
    this.currentPid = pid;
    return true;
  }

  /**
   * A data-less access of `size` bytes at `va` by `pid` (trace replay, the
   * hot path). `kind` is ACCESS.USER_READ or ACCESS.USER_WRITE (without the
   * U bit it is a supervisor access). A straddling access touches both pages.
   * False if the process is not running or died of this access.
   */
  access(pid: number, va: number, size: number, kind: AccessKind): boolean {
    if (va >>> 0 !== va || !(size >= 1 && (size | 0) === size && va + size <= 0x1_0000_0000)) badAccess("access", va, size);
    if (pid !== this.currentPid && !this.switchFor(pid, "access")) return false;
    this.accesses++;
    if (this.cpu.access(va, size, kind)) return true;
    this.faulted(pid);
    return false;
  }

  /**
   * Replay's hot path: one page reference, the same as `access(pid, va,
   * size, kind)` for an access that stays within va's page (so its size
   * does not matter). False if the process is not running or died of it.
   */
  accessPage(pid: number, va: number, kind: AccessKind): boolean {
    if (va >>> 0 !== va) checkAddress("accessPage", va);
    if (pid !== this.currentPid && !this.switchFor(pid, "accessPage")) return false;
    this.accesses++;
    if (this.cpu.translate(va, kind) !== DEAD) return true;
    this.faulted(pid);
    return false;
  }

  /** The byte at `va`, or null if the process is not running or died of the access. */
  read8(pid: number, va: number): number | null {
    if (va >>> 0 !== va) checkAddress("read8", va);
    if (!this.enter(pid, "read8")) return null;
    const v = this.cpu.read8(va, ACCESS.USER_READ);
    if (v !== DEAD) return v;
    this.faulted(pid);
    return null;
  }

  /** The little-endian 32-bit word at `va` (unsigned), or null. */
  read32(pid: number, va: number): number | null {
    if (va >>> 0 !== va) checkAddress("read32", va);
    if (!this.enter(pid, "read32")) return null;
    if (this.cpu.read32(va, ACCESS.USER_READ)) return this.cpu.word >>> 0;
    this.faulted(pid);
    return null;
  }

  /** Writes a byte; false if the process is not running or died of the access. */
  write8(pid: number, va: number, value: number): boolean {
    if (va >>> 0 !== va) checkAddress("write8", va);
    if (!this.enter(pid, "write8")) return false;
    if (this.cpu.write8(va, value, ACCESS.USER_WRITE)) return true;
    this.faulted(pid);
    return false;
  }

  /** Writes a little-endian 32-bit word; false if the process is not running or died of the access. */
  write32(pid: number, va: number, value: number): boolean {
    if (va >>> 0 !== va) checkAddress("write32", va);
    if (!this.enter(pid, "write32")) return false;
    if (this.cpu.write32(va, value, ACCESS.USER_WRITE)) return true;
    this.faulted(pid);
    return false;
  }

  /** `len` bytes from `va` as the process reads them, or null (the process died of it). */
  readBytes(pid: number, va: number, len: number): Uint8Array | null {
    checkAddress("readBytes", va);
    checkLength("readBytes", "len", va, len, true);
    if (!this.enter(pid, "readBytes")) return null;
    const out = new Uint8Array(len);
    if (this.cpu.readBytes(va, out, ACCESS.USER_READ)) return out;
    this.faulted(pid);
    return null;
  }

  /** Stores `bytes` at `va` as the process would; false if it died of it. */
  writeBytes(pid: number, va: number, bytes: Uint8Array): boolean {
    checkAddress("writeBytes", va);
    checkBytes("writeBytes", va, bytes);
    if (!this.enter(pid, "writeBytes")) return false;
    if (this.cpu.writeBytes(va, bytes, ACCESS.USER_WRITE)) return true;
    this.faulted(pid);
    return false;
  }

  /** brk: moves the heap break; false if refused. */
  brk(pid: number, newBreak: number): boolean {
    checkAddress("brk", newBreak);
    const p = this.running(pid, "brk");
    return p !== null && this.vmm.brk(p.space as AddressSpace, newBreak);
  }

  /** mmap at a fixed address of the shared region, demand-zero; `prot` is PROT bits. False if refused. */
  mmap(pid: number, va: number, len: number, prot: number = PROT.READ | PROT.WRITE): boolean {
    checkMapping("mmap", va, len, prot);
    const p = this.running(pid, "mmap");
    return p !== null && this.vmm.mmap(p.space as AddressSpace, va, len, prot);
  }

  /**
   * The loader's mapping of a program image: demand-zero pages at
   * [va, va+len) of the code/data region (0x00400000..0x3FFFFFFF); false if refused.
   */
  mapImage(pid: number, va: number, len: number, prot: number = PROT.READ | PROT.WRITE): boolean {
    checkMapping("mapImage", va, len, prot);
    const p = this.running(pid, "mapImage");
    return p !== null && this.vmm.mapImage(p.space as AddressSpace, va, len, prot);
  }

  /** munmap: the pages of [va, va+len) are gone; false if refused. */
  munmap(pid: number, va: number, len: number): boolean {
    checkPageAligned("munmap", va);
    checkLength("munmap", "len", va, len, false);
    const p = this.running(pid, "munmap");
    return p !== null && this.vmm.munmap(p.space as AddressSpace, va, len);
  }

  /**
   * The kernel writes `bytes` into the process at `va` (a system call's
   * copyout): each page is pre-faulted (breaking COW), checked user-writable,
   * and written through physical memory. Refused (false, the process lives
   * on) for kernel or unmapped addresses; pages before a refused one keep
   * what was written, as with copy_to_user.
   */
  copyOut(pid: number, va: number, bytes: Uint8Array): boolean {
    checkAddress("copyOut", va);
    checkBytes("copyOut", va, bytes);
    if (!this.enterKernel(pid, "copyOut") || !userRange(va, bytes.length)) return false;
    const space = this.processes.get(pid)?.space as AddressSpace;
    const memory = this.machine.memory;
    let done = 0;
    while (done < bytes.length) {
      const a = va + done;
      const n = Math.min(PAGE_SIZE - (a % PAGE_SIZE), bytes.length - done);
      if (!this.vmm.faultInUserWrite(a, n) || !this.vmm.isPageWritable(space, a)) return false;
      const pa = this.vmm.virtToPhys(space, a);
      if (pa < 0) return false;
      for (let i = 0; i < n; i++) memory.write8(pa + i, bytes[done + i]);
      done += n;
    }
    return true;
  }

  /**
   * The kernel reads `len` bytes of the process at `va` (copyin), faulting
   * pages in as a user read would; null (the process lives on) for kernel or
   * unmapped addresses.
   */
  copyIn(pid: number, va: number, len: number): Uint8Array | null {
    checkAddress("copyIn", va);
    checkLength("copyIn", "len", va, len, true);
    if (!this.enterKernel(pid, "copyIn") || !userRange(va, len)) return null;
    const out = new Uint8Array(len);
    return this.cpu.readBytes(va, out, ACCESS.USER_READ) ? out : null;
  }

  /** `n` timer ticks: working-set sampling, the thrashing window and throttling. */
  tick(n = 1): void {
    this.checkOpen("tick");
    checkCount("tick: n", n, 0);
    if (this.panic !== null) return;
    for (let i = 0; i < n; i++) {
      this.ticks++;
      this.vmm.tick(this.ticks);
      for (const p of this.live.values()) {
        if (this.vmm.shouldThrottle(p.space as AddressSpace)) p.throttledTicks++;
      }
    }
  }

  /** A snapshot of process `pid`; throws RangeError for a pid never issued (a caller bug). */
  process(pid: number): ProcessInfo {
    this.checkOpen("process");
    const p = this.processes.get(pid);
    if (p === undefined) throw new SystemUsageError("process: pid", `no process ${pid} was ever created`);
    return this.infoOf(p);
  }

  /** Every process ever created, in pid order. */
  processList(): ProcessInfo[] {
    this.checkOpen("processList");
    return [...this.processes.values()].map((p) => this.infoOf(p));
  }

  /** Pids of running processes, in pid order. */
  runningPids(): number[] {
    this.checkOpen("runningPids");
    return [...this.live.keys()];
  }

  /** The `index`-th running pid in pid order (runningPids()[index], without the list); -1 past the last. */
  runningPidAt(index: number): number {
    this.checkOpen("runningPidAt");
    for (const pid of this.live.keys()) if (index-- === 0) return pid;
    return -1;
  }

  /** True while `pid` runs (process(pid).status.state === "running", without the snapshot). */
  isRunning(pid: number): boolean {
    this.checkOpen("isRunning");
    return this.live.has(pid);
  }

  stats(): SystemStats {
    this.checkOpen("stats");
    const f = this.vmm.faults;
    return {
      accesses: this.accesses,
      references: this.cpu.references,
      faults: {
        total: f.demandZero + f.swapIn + f.cow + f.stack + f.heap + f.segv,
        demandZero: f.demandZero,
        swapIn: f.swapIn,
        cow: f.cow,
        stack: f.stack,
        heap: f.heap,
        segv: f.segv,
      },
      vmstat: { ...this.vmm.stat },
      vmm386: { ...this.vmm.vmm386 },
      tlb: tlbStats(this.machine.mmu),
      ticks: this.ticks,
      tasks: {
        created: this.nextPid - 1,
        running: this.live.size,
        peak: this.peakProcesses,
        pidMax: this.maxProcesses + 1,
        forkFailed: this.forkFailed,
        forkFailedAtPidLimit: this.forkFailedAtPidLimit,
      },
      psi: this.vmm.pressure,
    };
  }

  /**
   * The policy's own lists (linux: inactive and active; mglru: the
   * generations, as /sys/kernel/debug/lru_gen) with the pages of each of
   * `processes`; null for a policy without lists.
   */
  policyView(processes: readonly ViewedProcess[]): PolicyView | null {
    this.checkOpen("policyView");
    return policyView(this, processes);
  }

  /** Accesses made so far: stats().accesses, without building the snapshot (for loops that check it often, and per kernel event). */
  get accessCount(): number {
    return this.accesses;
  }

  /** Swap slots in use now (0 without swap). */
  get usedSwapSlots(): number {
    this.checkOpen("usedSwapSlots");
    return this.vmm.swap?.usedSlots ?? 0;
  }

  /** Path of the user's swap image, or null (a device, a temporary image, which has no path left, or no swap). */
  get swapPath(): string | null {
    return this.swap.path;
  }

  /** True when the System swaps on a temporary image of its own (unlinked from the start: see swap-image.ts). */
  get swapsOnTemporaryImage(): boolean {
    return this.swap.temporary;
  }

  /**
   * Releases the swap disk (a temporary image's blocks with it) and the
   * MMU's TLB array (Mmu.release); every later call but this one throws.
   * Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.currentPid = 0; // every access then goes through switchFor, which refuses naming the call
    this.swap.close();
    this.machine.mmu.release();
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws if the System was closed: its swap disk is gone, so nothing it would do could be true. */
  private checkOpen(call: string): void {
    if (this.closed) throw new SystemUsageError(call, "the System is closed (close() was called)");
  }

  private adopt(space: AddressSpace, parent: number): number {
    const pid = this.nextPid++;
    const p = new Process(pid, parent, space);
    this.processes.set(pid, p);
    this.live.set(pid, p);
    if (this.live.size > this.peakProcesses) this.peakProcesses = this.live.size;
    return pid;
  }

  /** A fork that made no child: remembered as forkError, counted unless the parent was not running. */
  private forkFailure(error: ForkError): null {
    this.lastForkError = error;
    if (error !== "ESRCH") this.forkFailed++;
    if (error === "EAGAIN") this.forkFailedAtPidLimit++;
    return null;
  }

  /** The process if it is running and the System has not panicked, else null (throws once closed, naming `call`). */
  private running(pid: number, call: string): Process | null {
    this.checkOpen(call);
    if (this.panic !== null) return null;
    return this.live.get(pid) ?? null;
  }

  /** Makes `pid` current for a data access (counted) by `call`; false if it cannot run. */
  private enter(pid: number, call: string): boolean {
    if (this.closed) this.checkOpen(call);
    if (pid !== this.currentPid && !this.switchFor(pid, call)) return false;
    this.accesses++;
    return true;
  }

  /** Makes `pid` current for a kernel copy (not a user access) by `call`; false if it cannot run. */
  private enterKernel(pid: number, call: string): boolean {
    if (this.closed) this.checkOpen(call);
    return pid === this.currentPid || this.switchFor(pid, call);
  }

  /** The last access of `pid` hit a fault the kernel did not resolve: kill it, or panic. */
  private faulted(pid: number): void {
    const cpu = this.cpu;
    const report: FaultReport = {
      pid,
      address: cpu.faultAddress,
      errorCode: cpu.faultErrorCode,
      access: (cpu.faultErrorCode & PF.WRITE) !== 0 ? "write" : "read",
      mode: (cpu.faultErrorCode & PF.USER) !== 0 ? "user" : "supervisor",
      reason: cpu.faultReason,
    };
    if (cpu.faultPanic || report.mode === "supervisor") {
      this.panic = report;
      this.currentPid = 0; // every later call goes through running(), which refuses
      return;
    }
    const p = this.processes.get(pid);
    if (p !== undefined && p.running) this.end(p, { state: "killed", report });
  }

  /** `p`'s snapshot, with its stalled time as the kernel counts it while its space lives. */
  private infoOf(p: Process): ProcessInfo {
    const info = p.info();
    return p.space === null ? info : { ...info, stalledTicks: this.vmm.stalledTicks(p.space) };
  }

  /** Ends `p` with `status` and gives its address space back to the kernel. */
  private end(p: Process, status: Process["status"]): void {
    p.status = status;
    this.live.delete(p.pid);
    const space = p.space as AddressSpace;
    p.space = null;
    p.stalledTicks = this.vmm.stalledTicks(space);
    // The kernel moves CR3 to its own space before freeing the current directory.
    this.vmm.destroyAddressSpace(space);
    if (this.currentPid === p.pid) this.currentPid = 0;
  }
}

/** True when [va, va+len) lies inside user space (USER_CODE_BASE..USER_STACK_TOP). */
function userRange(va: number, len: number): boolean {
  return va >= USER_CODE_BASE && len >= 0 && va + len <= USER_STACK_TOP;
}

/** Throws for an access's bad address or size (out of the hot path: only called when one is wrong). */
function badAccess(call: string, va: number, size: number): void {
  checkAddress(call, va);
  checkLength(call, "size", va, size, false);
}

function checkBytes(call: string, va: number, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new SystemUsageError(`${call}: bytes`, "not a Uint8Array");
  checkLength(call, "bytes", va, bytes.length, true);
}

/** mmap and mapImage: a page-aligned address, a length and PROT bits. */
function checkMapping(call: string, va: number, len: number, prot: number): void {
  checkPageAligned(call, va);
  checkLength(call, "len", va, len, false);
  checkProt(call, prot);
}

/** Why a swap device's MBR gives no swap area: no swap partition, or one too small for a single slot. */
function missingSwapReason(device: BlockDevice): string {
  const found = findSwapArea(readPartitionTable(device));
  if (found === null) return "no swap partition (type 0x82 or 0xE5) in its MBR";
  const p = found.partition;
  return `swap partition ${p.slot} (type 0x${p.type.toString(16)}) holds ${p.sectorCount} sectors, less than one 4 KiB swap slot (8 sectors)`;
}
