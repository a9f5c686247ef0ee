/**
 * The VMM facade: the EYN-OS virtual memory manager as one object, the
 * contract the simulation layer (src/sim) builds on (see /tmp/vmm-api.md).
 *
 * Each method is a seed function (named in its doc) implemented by the
 * module of its part; this file only wires them together, and, with
 * `checkInvariants`, runs the DEBUG_VM-like checker after every operation.
 */

import { PTE } from "../machine/i386.js";
import type { BlockDevice } from "../machine/block-device.js";
import { type AddressSpace, newAddressSpaceRecord } from "./address-space-record.js";
import { cloneAddressSpace, createAddressSpace, destroyAddressSpace, switchAddressSpace } from "./address-space.js";
import { type BootResult, type KernelHardware, bootKernel } from "./boot.js";
import type { FaultOutcome } from "./fault-outcome.js";
import { markRegionCow } from "./cow.js";
import { mapPage } from "./device-memory.js";
import { evictOne, swapOutPage } from "./eviction.js";
import { FrameKind } from "./frame-table.js";
import { KernelInspection } from "./inspection.js";
import { type InvariantViolation, checkInvariants } from "./invariants.js";
import { KernelState, pageKey } from "./kernel-state.js";
import { type KfreeResult, kfreePage, kmallocAligned, kmallocPage } from "./kernel-heap.js";
import { USER_HEAP_BASE, USER_STACK_TOP } from "./layout.js";
import { handlePageFault } from "./page-fault.js";
import type { KernelEventSink } from "./kernel-events.js";
import { NO_PTE, walk } from "./page-tables.js";
import { DEFAULT_POLICY, type FutureKnowledge, type PolicyFactory, type PolicyName, createPolicy } from "./replacement/index.js";
import { NO_SHADOW, SwapShadows } from "./swap-shadows.js";
import { DEFAULT_SWAP_LATENCY, type Pressure, Psi, type SwapLatency, type ThrottleRule, psiShouldThrottle } from "./psi.js";
import { type PolicyList, hasLists } from "./replacement/policy-lists.js";
import type { ReplacementPolicy } from "./replacement/policy.js";
import { SwapArea } from "./swap-area.js";
import { TlbControl } from "./tlb-control.js";
import { brk, faultInUserWrite, mapImage, mmap, munmap } from "./user-memory.js";
import { type FaultCounts, type MemInfo, type VmStat, type Vmm386Stat, newFaultCounts, newVmStat, newVmm386Stat } from "./vmstat.js";
import { shouldThrottle, tick, updateWorkingSet } from "./working-set.js";

export type { AddressSpace } from "./address-space-record.js";
export type { BootResult, KernelHardware } from "./boot.js";
export { BootError } from "./boot.js";
export type { FaultOutcome, ResolvedHow } from "./fault-outcome.js";
export type { InvariantViolation } from "./invariants.js";
export type { BootOrigin, FrameUse, KernelInspection } from "./inspection.js";
export type { EvictionEvent, FaultDecision, FaultEvent, KernelEvent, KernelEventSink } from "./kernel-events.js";
export type { KfreeResult } from "./kernel-heap.js";
export type { FaultCounts, MemInfo, VmStat, Vmm386Stat } from "./vmstat.js";
export type { PolicyList } from "./replacement/policy-lists.js";
export type { Pressure, PressureLine, SwapLatency, ThrottleRule } from "./psi.js";
export { DEFAULT_PSI_THRESHOLD, DEFAULT_SWAP_LATENCY, formatPressure } from "./psi.js";
export { PROT } from "./user-memory.js";
export { pageKey } from "./kernel-state.js";
export { FAULT_WINDOW_TICKS, THRASH_THRESHOLD } from "./working-set.js";

export interface VmmOptions {
  /** Replacement policy: a name from POLICY_NAMES ("clock", the seed's, by default) or a factory of the caller's. */
  policy?: PolicyName | PolicyFactory;
  /** Track at most this much RAM (the seed's cap was 128 MiB); default: all detected RAM up to 3 GiB. */
  maxTrackedRamBytes?: number;
  /** Cap on resident user pages (page tables not counted); eviction keeps it. Default: RAM only. */
  userFrameLimit?: number;
  /** Disk whose MBR holds a swap partition (0x82 or 0xE5); null or absent: no swap, no eviction. */
  swap?: BlockDevice | null;
  /** Run the invariant checker after every operation and throw InvariantError on a violation (tests). */
  checkInvariants?: boolean;
  /** Next-use oracle for OPT (trace replay); keys are `pageKey(spaceId, va)`. */
  future?: FutureKnowledge;
  /** Ticks waited per page read from and written to swap (PSI's stalls); default DEFAULT_SWAP_LATENCY. */
  swapLatency?: SwapLatency;
  /** Which rule `shouldThrottle` applies: the seed's (default) or PSI's some avg10. */
  throttle?: ThrottleRule;
}

/** The invariant checker found the kernel's state inconsistent (DEBUG_VM's BUG()). */
export class InvariantError extends Error {
  override name = "InvariantError";
  readonly violations: readonly InvariantViolation[];
  constructor(after: string, violations: readonly InvariantViolation[]) {
    super(`invariant violated after ${after}: ${violations.map((v) => `[${v.rule}] ${v.detail}`).join("; ")}`);
    this.violations = violations;
  }
}

export class Vmm {
  /** Counters /proc/vmstat has, under its names. */
  readonly stat: VmStat;
  /** Counters /proc/vmstat has no equivalent of. */
  readonly vmm386: Vmm386Stat;
  /** Faults by how they were resolved (segv: not resolved). */
  readonly faults: FaultCounts;
  /** What boot found and built (detected RAM, alias size, warnings...). */
  readonly boot: BootResult;
  private readonly k: KernelState;
  private readonly checking: boolean;
  private readonly throttle: ThrottleRule;
  private lastSample = 0;
  private inspection: KernelInspection | null = null;

  private constructor(k: KernelState, boot: BootResult, checking: boolean, throttle: ThrottleRule) {
    this.k = k;
    this.throttle = throttle;
    this.boot = boot;
    this.stat = k.stat;
    this.vmm386 = k.vmm386;
    this.faults = k.faults;
    this.checking = checking;
  }

  /**
   * vmm_init + vmm_enable_paging: boots from the multiboot information at
   * `hw.bootInfoAddress` and turns paging on. Throws BootError when the
   * machine cannot be booted, DiskFormatError for a malformed swap disk.
   */
  static boot(hw: KernelHardware, options: VmmOptions = {}): Vmm {
    const boot = bootKernel(hw, options.maxTrackedRamBytes ?? Infinity);
    const kernelSpace = newAddressSpaceRecord(0, boot.kernelPdPhys, USER_HEAP_BASE, USER_STACK_TOP - 4096);
    const k = new KernelState({
      memory: hw.memory,
      mmu: hw.mmu,
      frames: boot.frames,
      frameTable: boot.frameTable,
      tlb: new TlbControl(hw.mmu),
      swap: options.swap === undefined || options.swap === null ? null : SwapArea.open(options.swap, boot.frames.totalFrames),
      stat: newVmStat(),
      vmm386: newVmm386Stat(),
      faults: newFaultCounts(),
      aliasFrames: boot.aliasFrames,
      userFrameLimit: options.userFrameLimit ?? Infinity,
      kernelSpace,
    });
    const policyOptions = {
      maxFrames: boot.frames.totalFrames,
      capacity: Math.min(options.userFrameLimit ?? Infinity, boot.frames.freeFrames),
      host: k,
      future: options.future,
      // The clock for MGLRU; vmstat for the policies that count LRU-list and working-set events.
      clock: k,
      counters: k.stat,
    };
    const policy = options.policy ?? DEFAULT_POLICY;
    k.policy = typeof policy === "function" ? policy(policyOptions) : createPolicy(policy, policyOptions);
    if (k.policy.workingSet !== undefined && k.swap !== null) k.shadows = new SwapShadows(k.swap.totalSlots);
    k.psi = new Psi(options.swapLatency ?? DEFAULT_SWAP_LATENCY);
    const vmm = new Vmm(k, boot, options.checkInvariants ?? false, options.throttle ?? { kind: "seed" });
    vmm.checked("boot");
    return vmm;
  }

  /** Where the kernel tells its fault decisions and evictions (kernel-events.ts); null (the default) tells nobody. */
  get events(): KernelEventSink | null {
    return this.k.events;
  }

  set events(sink: KernelEventSink | null) {
    this.k.events = sink;
  }

  /** The active address space (the kernel's until a switch). */
  get current(): AddressSpace {
    return this.k.current;
  }

  /** The kernel's own space (id 0): the boot directory, never destroyed. */
  get kernelSpace(): AddressSpace {
    return this.k.kernelSpace;
  }

  /** Live user address spaces. */
  get spaces(): AddressSpace[] {
    return [...this.k.spaces.values()].filter((s) => s !== this.k.kernelSpace);
  }

  /** create_address_space: kernel half shared, empty user half; null when out of memory. */
  createAddressSpace(): AddressSpace | null {
    return this.checked("createAddressSpace", createAddressSpace(this.k));
  }

  /** destroy_address_space: drops one reference; the last frees every frame, slot and table it holds. */
  destroyAddressSpace(space: AddressSpace): void {
    destroyAddressSpace(this.k, space);
    if (!space.alive) this.k.psi.forget(space.id);
    this.checked("destroyAddressSpace");
  }

  /**
   * clone_address_space (fork): frames shared copy-on-write and counted; null
   * (nothing leaked) when out of memory. Operations on a destroyed space do
   * nothing and report failure.
   */
  cloneAddressSpace(src: AddressSpace): AddressSpace | null {
    if (!src.alive) return null;
    return this.checked("cloneAddressSpace", cloneAddressSpace(this.k, src));
  }

  /** switch_address_space: makes `space` current (CR3 reload, TLB flushed). */
  switchAddressSpace(space: AddressSpace): void {
    switchAddressSpace(this.k, space);
  }

  /**
   * vmm_page_fault_handler for the current space: call it when
   * `mmu.translate` returns FAULT, with `mmu.errorCode` and `mmu.cr2`, and
   * retry the access when the outcome is "resolved". Never throws (unless
   * the invariant checker is on and finds a kernel bug).
   */
  handlePageFault(errorCode: number, cr2: number): FaultOutcome {
    return this.checked("handlePageFault", handlePageFault(this.k, errorCode, cr2));
  }

  /**
   * vmm_fault_in_user_write: before the kernel copies `len` bytes out to
   * `va` of the current space, makes every page present and writable
   * (demand-zero, swap-in, stack/heap growth, COW broken). False for kernel,
   * unmapped or read-only addresses. Copy page by page (pre-fault one page,
   * copy it) when a range may exceed the memory available, since resolving a
   * later page may evict an earlier one.
   */
  faultInUserWrite(va: number, len: number): boolean {
    return this.checked("faultInUserWrite", faultInUserWrite(this.k, va, len));
  }

  /** vmm_brk: sets the heap break within [USER_HEAP_BASE, USER_HEAP_END). */
  brk(space: AddressSpace, newBreak: number): boolean {
    return space.alive && this.checked("brk", brk(this.k, space, newBreak));
  }

  /**
   * vmm_mmap: demand-zero pages at the fixed range [va, va+size) of the shared
   * region (0x80000000..0xAFFFFFFF). `prot`: PROT.READ | PROT.WRITE (pages are
   * always user pages). False, changing nothing, if the range leaves the
   * region, wraps, or overlaps a mapping.
   */
  mmap(space: AddressSpace, va: number, size: number, prot: number): boolean {
    return space.alive && this.checked("mmap", mmap(this.k, space, va, size, prot));
  }

  /**
   * Loader mapping: demand-zero pages at [va, va+size) of the code/data
   * region (0x00400000..0x3FFFFFFF), as an ELF loader lays out a program's
   * segments. Same rules and result as `mmap`.
   */
  mapImage(space: AddressSpace, va: number, size: number, prot: number): boolean {
    return space.alive && this.checked("mapImage", mapImage(this.k, space, va, size, prot));
  }

  /** vmm_munmap: unmaps every page of [va, va+size) below KERNEL_BASE (present, swapped or demand-zero). */
  munmap(space: AddressSpace, va: number, size: number): boolean {
    return space.alive && this.checked("munmap", munmap(this.k, space, va, size));
  }

  /**
   * vmm_mark_region_cow: makes the present writable pages of [start, end) of
   * `space` read-only + COW; the next write to each takes the COW path (a
   * copy if the frame is shared, the frame itself otherwise).
   */
  markRegionCow(space: AddressSpace, start: number, end: number): void {
    if (space.alive) markRegionCow(this.k, space, start, end);
    this.checked("markRegionCow");
  }

  /**
   * vmm_map_page, for memory the kernel does not manage: maps the frame at
   * physical address `pa` (device memory above RAM, such as the
   * framebuffer, or a reserved range) at `va` of user space `space` with
   * `flags` (PTE.RW, PTE.USER, PTE.PWT, PTE.PCD). A user mapping makes the
   * directory entry user; an entry already there is replaced (a page of the
   * process given up as by munmap); the TLB is invalidated only if the old
   * entry was present and `space` is active. Fork shares the mapping as it
   * is. False, changing nothing, for the kernel's space or half, or for a
   * frame the allocator manages (user pages come from faults: they are
   * counted by the PTEs that map them).
   */
  mapPage(space: AddressSpace, va: number, pa: number, flags: number): boolean {
    return this.checked("mapPage", mapPage(this.k, space, va, pa, flags));
  }

  /**
   * swap_out_page for the page at `va` of `space`: written to swap (or, if
   * it is a clean swap-cache page, put back on its slot) and its frame
   * freed, out of every space that shares it; returns the slot its PTEs now
   * name, or -1 when it is not a resident user page or swap cannot take it
   * (absent, full, write error). Counted in pswpout, not in pgsteal (no
   * reclaim chose it).
   */
  swapOutPage(space: AddressSpace, va: number): number {
    if (!space.alive) return -1;
    return this.checked("swapOutPage", swapOutPage(this.k, space, va >>> 0));
  }

  /**
   * vmm_update_working_set for one space: counts its present user pages
   * with Accessed set, clears the bit (invalidating the active space's TLB
   * entries, so a later use sets it again) and returns the count, also kept
   * in `space.wsPages`. `tick` does this for every space once per window.
   */
  updateWorkingSet(space: AddressSpace): number {
    if (!space.alive || space === this.k.kernelSpace) return 0;
    return this.checked("updateWorkingSet", updateWorkingSet(this.k, space));
  }

  /** vmm_kmalloc_page: one kernel page; its kernel VA (KERNEL_BASE + phys), or 0. */
  kmallocPage(): number {
    return this.checked("kmallocPage", kmallocPage(this.k));
  }

  /**
   * vmm_kfree_page: frees a page from kmallocPage/kmallocAligned that is
   * still allocated. Anything else (the kernel's page directory or tables, a
   * process's page, a free frame, a user address) is refused and changes
   * nothing; the result says why.
   */
  kfreePage(va: number): KfreeResult {
    return this.checked("kfreePage", kfreePage(this.k, va));
  }

  /** vmm_kmalloc_aligned: physically contiguous pages for `size` bytes; kernel VA or 0. */
  kmallocAligned(size: number): number {
    return this.checked("kmallocAligned", kmallocAligned(this.k, size));
  }

  /**
   * vmm_reserve_phys_range: keeps the free frames touching [start, end) out
   * of the allocator for good (a driver's buffer, firmware tables); frames
   * already in use are left as they are, as in the seed. Returns how many
   * frames were newly reserved.
   */
  reservePhysRange(start: number, end: number): number {
    const frames = this.k.frames.reserveBytes(start, end);
    for (const pfn of frames) this.k.frameTable.kind[pfn] = FrameKind.RESERVED;
    return this.checked("reservePhysRange", frames.length);
  }

  /** vmm_is_page_present. */
  isPagePresent(space: AddressSpace, va: number): boolean {
    return (this.entryOf(space, va) & PTE.PRESENT) !== 0;
  }

  /** vmm_is_page_writable: present and R/W. */
  isPageWritable(space: AddressSpace, va: number): boolean {
    return (this.entryOf(space, va) & (PTE.PRESENT | PTE.RW)) === (PTE.PRESENT | PTE.RW);
  }

  /** vmm_virt_to_phys: the physical address `va` maps to, or -1 when not present (the seed returned 0). */
  virtToPhys(space: AddressSpace, va: number): number {
    const e = this.entryOf(space, va);
    if ((e & PTE.PRESENT) === 0) return -1;
    return (e & ~0xfff) + (va & 0xfff) >>> 0;
  }

  /** The raw PTE for `va` of `space` (0 when there is no page table), for inspection. */
  entryOf(space: AddressSpace, va: number): number {
    if (!space.alive) return 0;
    const pteAddr = walk(this.k.memory, space.pdPhys, va >>> 0);
    return pteAddr === NO_PTE ? 0 : this.k.memory.read32(pteAddr);
  }

  /** Free frames in the allocator. */
  get freeFrames(): number {
    return this.k.frames.freeFrames;
  }

  /** Frames tracked (detected RAM, capped at maxTrackedRamBytes). */
  get totalFrames(): number {
    return this.k.frames.totalFrames;
  }

  /** Frames holding user pages now. */
  get residentUserPages(): number {
    return this.k.userResident;
  }

  /** Pages evicted to swap so far, by allocations and by `reclaim` (`stat.pgsteal_direct + stat.pgsteal_proactive`). */
  get evictions(): number {
    return this.k.stat.pgsteal_direct + this.k.stat.pgsteal_proactive;
  }

  /** The replacement policy's name. */
  get policyName(): string {
    return this.k.policy.name;
  }

  /** True when the policy wants `noteReference` on every access (LRU, ARC, SIEVE, ...). */
  get observesReferences(): boolean {
    return this.k.policy.observesReferences;
  }

  /**
   * Swap area: slots in all, in use, and retired after a failed write (bad:
   * never used again, neither free nor in use), pages in the swap cache
   * (resident and still on their slot, for sharers yet to fault them in);
   * null without swap.
   */
  get swap(): {
    readonly totalSlots: number;
    readonly usedSlots: number;
    readonly badSlots: number;
    readonly cachedPages: number;
    readonly errors: { writes: number; reads: number };
  } | null {
    const s = this.k.swap;
    return s === null
      ? null
      : { totalSlots: s.totalSlots, usedSlots: s.usedSlots, badSlots: s.badSlots, cachedPages: s.cache.size, errors: s.errors };
  }

  /** The swap slot frame `pfn` is a clean copy of (it is in the swap cache), or -1. */
  swapCacheSlot(pfn: number): number {
    return this.inspect.swapCacheSlot(pfn);
  }

  /** Read-only answers about frames, mappings and boot's layout, for inspectors and reports. */
  get inspect(): KernelInspection {
    this.inspection ??= new KernelInspection(this.k, this.boot);
    return this.inspection;
  }

  /** The shadow entry swap slot `slot` keeps for the policy (linux, mglru: swap-shadows.ts), or -1. */
  swapShadow(slot: number): number {
    const shadows = this.k.shadows;
    return shadows === null || slot < 0 || slot >= shadows.shadowOfSlot.length ? NO_SHADOW : shadows.shadowOfSlot[slot];
  }

  /**
   * The policy's own lists, frames newest first (linux: inactive, active;
   * mglru: one per generation, with its seq and birth tick), or null for a
   * policy without lists of its own.
   */
  policyLists(): PolicyList[] | null {
    return hasLists(this.k.policy) ? this.k.policy.lists() : null;
  }

  /** The replacement policy object (tests and views that know its class: MglruPolicy's tiers, LinuxLruPolicy's age). */
  get policy(): ReplacementPolicy {
    return this.k.policy;
  }

  /** Invalidation counters of the kernel (INVLPGs issued, full flushes, deferred flushes). */
  get tlbControl(): Readonly<TlbControl["counts"]> {
    return this.k.tlb.counts;
  }

  /** A /proc/meminfo-like snapshot in kB. */
  meminfo(): MemInfo {
    const ft = this.k.frameTable;
    let tables = 0;
    let kernel = 0;
    for (let pfn = 0; pfn < ft.frames; pfn++) {
      const kind = ft.kind[pfn];
      if (kind === FrameKind.PAGE_TABLE || kind === FrameKind.PAGE_DIRECTORY) tables++;
      else if (kind === FrameKind.KERNEL) kernel++;
    }
    const swap = this.k.swap;
    return {
      MemTotal: this.totalFrames * 4,
      MemFree: this.freeFrames * 4,
      AnonPages: this.k.userResident * 4,
      PageTables: tables * 4,
      KernelPages: kernel * 4,
      SwapTotal: ((swap?.totalSlots ?? 0) - (swap?.badSlots ?? 0)) * 4, // as Linux, bad slots are not counted
      SwapFree: (swap?.freeSlots ?? 0) * 4,
    };
  }

  /** Per-access hook for policies that observe references: the CPU layer calls it iff `observesReferences`. */
  noteReference(pfn: number): void {
    if (pfn < this.k.frameTable.frames && this.k.frameTable.kind[pfn] === FrameKind.USER) this.k.policy.reference(pfn);
  }

  /**
   * Proactive reclaim (like Linux's cgroup memory.reclaim): evicts up to
   * `pages` user pages chosen by the policy to swap; returns how many went.
   */
  reclaim(pages: number): number {
    let done = 0;
    while (done < pages && evictOne(this.k, "proactive")) done++;
    return this.checked("reclaim", done);
  }

  /** Timer: advances time to `now` (ticks); samples working sets once per window; PSI serves each live space's stalls. */
  tick(now: number): void {
    this.lastSample = tick(this.k, now, this.lastSample);
    this.k.psi.tick(now, this.spaces);
    this.checked("tick");
  }

  /**
   * vmm_should_throttle: by the seed's rule, more than 50 faults in the
   * current 100-tick window; by the PSI rule (VmmOptions.throttle), the
   * space's own memory pressure, some avg10, at or above the threshold.
   */
  shouldThrottle(space: AddressSpace): boolean {
    const rule = this.throttle;
    return rule.kind === "psi" ? psiShouldThrottle(this.k.psi, space.id, rule.someAvg10) : shouldThrottle(this.k, space);
  }

  /** /proc/pressure/memory: the system's memory pressure. */
  get pressure(): Pressure {
    return this.k.psi.system.pressure();
  }

  /** The memory pressure of `space` alone (as a cgroup holding it would show), or null before it ever stalled. */
  pressureOf(space: AddressSpace): Pressure | null {
    return this.k.psi.groupOf(space.id)?.pressure() ?? null;
  }

  /** Ticks `space` has waited for swap I/O (reads of its faults, writes of its reclaim), per the latency model. */
  stalledTicks(space: AddressSpace): number {
    return this.k.psi.stalledTicks(space.id);
  }

  /** The swap-latency model PSI runs on. */
  get swapLatency(): SwapLatency {
    return this.k.psi.latency;
  }

  /** The policy key of page `va` in `space` (what OPT's `future.nextUse` is asked about). */
  pageKey(space: AddressSpace, va: number): number {
    return pageKey(space.id, va);
  }

  /** Runs the invariant checker; [] when everything holds. */
  checkInvariants(): InvariantViolation[] {
    return checkInvariants(this.k);
  }

  private checked<T>(after: string, value?: T): T {
    if (this.checking) {
      const violations = checkInvariants(this.k);
      if (violations.length > 0) throw new InvariantError(after, violations);
    }
    return value as T;
  }
}
