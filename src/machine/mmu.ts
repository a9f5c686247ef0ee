/**
 * The i386 MMU: control registers, the two-level page walk and the TLB.
 *
 * Contract of the per-access path: `translate(va, kind)` returns the physical
 * frame number (0..0xFFFFF) of a successful access, or FAULT (-1) with
 * `errorCode` and `cr2` set exactly as the CPU would push them. It never
 * throws and never allocates. `kind` is the W|U bits of the #PF error code
 * (see ACCESS in i386.ts).
 *
 * Shape of the path: a hit is one load from the TLB's flat mirror (see
 * tlb.ts), one bit test of the ALLOW bit for `kind`, a mask, and the clock
 * bumped and stored as the page's stamp for the pseudo-LRU (which also
 * counts the hit); mirror, stamps and clock are one Int32Array. Everything
 * else (a miss, a write through an entry cached with D clear, an access the
 * cached rights refuse, paging off, strict mode) takes `translateSlow`, which
 * consults the set-associative model, walks, fills and faults.
 *
 * Hardware behaviour modelled (SDM Vol. 3A, 4.3, 4.6, 4.8, 4.10):
 * - a walk sets A in the PDE and the PTE (or the 4 MiB PDE) and, for a
 *   write, D in the leaf; PDE.A is set once the PDE is used even if the PTE
 *   then faults (what QEMU does; the conformance README, point 6);
 * - a TLB hit re-reads nothing: changed page tables are unseen until
 *   INVLPG, a CR3 load, or a #PF on that page (which drops its entries);
 * - a write through an entry cached with D clear walks again, setting D or
 *   faulting if the tables now refuse it;
 * - an access the cached rights refuse faults from the entry (possibly a
 *   spurious fault, SDM 4.10.4.3) and drops it;
 * - CR3 load drops all but global entries when CR4.PGE is set; INVLPG drops
 *   the page's entries, global ones included; turning CR0.PG off or changing
 *   CR4.PSE/PGE flushes everything; a CR0.WP change re-reads the cached
 *   rights without a flush.
 */

import { CR0, CR4, PF, PTE, LARGE_PDE_RESERVED_MASK, PAGE_SHIFT, PAGE_OFFSET_MASK, PAGE_SIZE } from "./i386.js";
import type { CpuModel, TlbChoice } from "./cpu-model.js";
import type { PhysicalMemory } from "./physical-memory.js";
import { STATE, Tlb, checkTlbShape, type Replacement } from "./tlb.js";
import { StrictTlbChecker, type StrictViolation } from "./strict-tlb.js";

// Hardware constants copied into module-local bindings: under a CommonJS-style
// transform (tsx, vitest) each use of an imported binding is a getter call, which
// the per-access path cannot afford.
const { PE: CR0_PE, PG: CR0_PG, WP: CR0_WP } = CR0;
const { PAE: CR4_PAE, PGE: CR4_PGE, PSE: CR4_PSE } = CR4;
const { PRESENT: PF_PRESENT, RSVD: PF_RSVD, USER: PF_USER, WRITE: PF_WRITE } = PF;
const { ACCESSED, DIRTY, GLOBAL, PRESENT, PS, RW, USER } = PTE;
const K_LARGE_PDE_RESERVED_MASK = LARGE_PDE_RESERVED_MASK;
const K_PAGE_SHIFT = PAGE_SHIFT;
const K_PAGE_OFFSET_MASK = PAGE_OFFSET_MASK;
const K_PAGE_SIZE = PAGE_SIZE;
const K_CLOCK = STATE.CLOCK;

export const FAULT = -1;

/** TLB and walk statistics; `translations` = hits + misses + translations with paging off. */
export class TlbCounters {
  misses = 0;
  walks = 0;
  invlpgs = 0;
  /**
   * TLB flushes: every CR3 load, plus every whole-TLB flush (CR0.PG turned
   * off, CR4.PSE/PGE/PAE changed, `flushAll`). Full flushes are
   * `flushes - globalKept`.
   */
  flushes = 0;
  /**
   * Of `flushes`, the CR3 loads made with CR4.PGE set, which drop all but
   * the global entries (counted whether or not any global entry was cached).
   */
  globalKept = 0;
  /** Translations done with paging off (identity, no TLB). */
  unpaged = 0;
  private clockAtReset = 0;

  /** `clock()` reads the MMU's count of translations with paging on (see Mmu.clock). */
  constructor(private readonly clock: () => number) {}

  /** Translations served by the TLB (including writes that walked only to set D). */
  get hits(): number {
    return this.clock() - this.clockAtReset - this.misses;
  }

  get translations(): number {
    return this.hits + this.misses + this.unpaged;
  }

  /** The MMU renumbered its clock from `from` to `to` (order kept): counts stay as they were. */
  clockRenumbered(from: number, to: number): void {
    this.clockAtReset -= from - to;
  }

  /** Zeroes every counter (the clock keeps running). */
  reset(): void {
    this.clockAtReset = this.clock();
    this.misses = this.walks = this.invlpgs = this.flushes = this.globalKept = this.unpaged = 0;
  }

  toJSON(): Record<string, number> {
    const { hits, misses, walks, invlpgs, flushes, globalKept } = this;
    return { translations: this.translations, hits, misses, walks, invlpgs, flushes, globalKept };
  }
}

export interface MmuOptions {
  /** Main TLB shape (4 MiB entries keep the model's), or "off" to walk on every access. Default: the model's. */
  tlb?: TlbChoice;
  /** Check every TLB-served access against the page tables (slow); see strict-tlb.ts. */
  strict?: boolean;
  /**
   * False sends every TLB fill through the general path (Tlb.claim and
   * fill), never the flat ones (translateSlow's miss, Tlb.fillMiss): the
   * same results, slower; for the tests that hold the two to each other.
   */
  flatMiss?: boolean;
}

const RIGHTS = RW | USER;
/**
 * The slow path renumbers the clock (see Tlb.renumber) once it reaches this,
 * so the clock and the stamps stay well inside an Int32.
 */
export const RENUMBER_AT = 0x20000000;
/**
 * A hit that would take the clock to this goes the slow way instead, which
 * renumbers: a run of hits with no slow path in between (2^29 of them, a
 * few seconds) never overflows the clock. It costs the hit path a compare.
 */
export const HIT_CLOCK_LIMIT = 0x40000000;
/** RENUMBER_AT for translateSlow: an exported binding is read through a cell on every use. */
const K_RENUMBER_AT = RENUMBER_AT;
/** `missFlat`: not its case, nothing changed. */
const NOT_FLAT = -3;
/** `fromEntry`: the entry allows the write but must walk to set D. */
const WALK_AGAIN = -2;

export class Mmu {
  readonly memory: PhysicalMemory;
  readonly model: CpuModel;
  readonly tlb: Tlb;

  cr0 = CR0_PE;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  /** Error code of the last fault. */
  errorCode = 0;
  /** Frame of the second page of the last `access` that straddled a page boundary; -1 otherwise. */
  secondPfn = -1;
  /** After `probe`: RW | USER | DIRTY | GLOBAL of the effective entry. */
  probeBits = 0;

  readonly counters = new TlbCounters(() => this.clock);

  /** The TLB's mirror, stamps and clock (see STATE in tlb.ts): tlb.state, but for release, which replaces it. */
  private state: Int32Array;
  private readonly strict: StrictTlbChecker | null;

  constructor(memory: PhysicalMemory, model: CpuModel, options: MmuOptions = {}) {
    this.memory = memory;
    this.model = model;
    const shape = options.tlb === "off" ? { entries: 0, ways: 1 } : (options.tlb ?? model.tlb);
    checkTlbShape(shape.entries, shape.ways);
    const replacement: Replacement = model.name === "i386" ? "pseudo-random" : "tree-plru";
    const large = model.hasPse ? model.tlb : { largeEntries: 0, largeWays: 0 };
    const strict = options.strict === true;
    this.tlb = new Tlb(
      { entries: shape.entries, ways: shape.ways, largeEntries: large.largeEntries, largeWays: large.largeWays, replacement },
      !strict,
      options.flatMiss !== false,
    );
    this.state = this.tlb.state;
    this.strict = strict ? new StrictTlbChecker(memory, () => this.counters.translations) : null;
  }

  /**
   * Translations with paging on, ever, as renumbered: the clock of the
   * TLB's pseudo-LRU, and (less misses) the hit count. The slow path
   * renumbers it (RENUMBER_AT, HIT_CLOCK_LIMIT); the counters are told, so
   * they stay exact.
   */
  get clock(): number {
    return this.state[K_CLOCK];
  }

  /**
   * Moves the clock to `value`, as a renumbering would: the counters stay
   * as they were. Only forward moves keep the recency order (for tests that
   * start the clock near a limit).
   */
  set clock(value: number) {
    this.counters.clockRenumbered(this.clock, value);
    this.state[K_CLOCK] = value;
  }

  get pagingEnabled(): boolean {
    return (this.cr0 & CR0_PG) !== 0;
  }

  /** Strict mode: the first violations found (capped); see strict-tlb.ts. Empty when not strict. */
  get strictViolations(): readonly StrictViolation[] {
    return this.strict === null ? [] : this.strict.violations;
  }

  /** Strict mode: every violation found, including those past the cap. */
  get strictViolationCount(): number {
    return this.strict === null ? 0 : this.strict.count;
  }

  /**
   * MOV CR0. WP is forced to 0 on a CPU without it. Turning paging off
   * flushes the TLB (SDM 4.10.4.1); nothing is cached while it is off.
   */
  setCr0(value: number): void {
    if (!this.model.hasWp) value &= ~CR0_WP;
    const pagingOff = (this.cr0 & CR0_PG) !== 0 && (value & CR0_PG) === 0;
    this.cr0 = value | 0;
    if (pagingOff) this.flushAll();
    this.tlb.setWp((this.cr0 & CR0_WP) !== 0);
  }

  /** MOV CR4. PSE/PGE are forced to 0 on a CPU without them; changing either flushes everything. */
  setCr4(value: number): void {
    if (!this.model.hasPse) value &= ~CR4_PSE;
    if (!this.model.hasPge) value &= ~CR4_PGE;
    const changed = this.cr4 ^ value;
    this.cr4 = value | 0;
    if ((changed & (CR4_PSE | CR4_PGE | CR4_PAE)) !== 0) this.flushAll();
  }

  /** MOV CR3: new directory, TLB flushed (global entries kept when CR4.PGE). */
  loadCr3(value: number): void {
    this.cr3 = value & ~0xfff;
    const keepGlobal = (this.cr4 & CR4_PGE) !== 0;
    this.counters.flushes++;
    if (keepGlobal) this.counters.globalKept++;
    this.tlb.flush(keepGlobal);
  }

  /** INVLPG; false on a CPU that lacks it (the instruction would be #UD). */
  invlpg(va: number): boolean {
    if (!this.model.hasInvlpg) return false;
    this.counters.invlpgs++;
    this.tlb.invalidatePage(va);
    return true;
  }

  /**
   * The machine is done with: the TLB's array goes to the next machine
   * (Tlb.release). Nothing may be translated afterwards. Idempotent.
   */
  release(): void {
    this.tlb.release();
    this.state = this.tlb.state;
  }

  /** Every TLB entry, global ones included, is dropped. */
  flushAll(): void {
    this.counters.flushes++;
    this.tlb.flush(false);
  }

  /** The frame `va` maps to for an access of `kind`, or FAULT with cr2/errorCode set. */
  translate(va: number, kind: number): number {
    // Literals, not imported constants: V8 reads an imported binding through a
    // cell on every use. 0x200000 is STATE.CLOCK, 0x40000000 HIT_CLOCK_LIMIT
    // (the TLB tests cross the limit). The page's mirror entry is at 2 vpn,
    // its stamp at 2 vpn + 1.
    const s = this.state;
    const at = (va >>> 11) & ~1;
    const e = s[at];
    if ((e & (0x100000 << (kind & 6))) !== 0) {
      const t = (s[0x200000] + 1) | 0;
      if (t < 0x40000000) {
        // Stamp first, then clock: in this order V8 keeps t in a register
        // and the hit path measures 5 % faster (npm run bench -- --only=translate).
        s[at | 1] = t;
        s[0x200000] = t;
        return e & 0xfffff;
      }
    }
    return this.translateSlow(va, kind);
  }

  /**
   * An access of `size` bytes at `va`. One that crosses a 4 KiB boundary is
   * split as hardware does: the first page is translated first (A/D
   * included), then the second; cr2 is `va` if the first faults, the second
   * page's first byte if the second does. Returns the first frame or FAULT;
   * `secondPfn` holds the second frame, or -1.
   */
  access(va: number, size: number, kind: number): number {
    if ((va & K_PAGE_OFFSET_MASK) + size <= K_PAGE_SIZE) {
      this.secondPfn = -1;
      return this.translate(va, kind);
    }
    this.secondPfn = -1;
    const first = this.translate(va, kind);
    if (first === FAULT) return FAULT;
    const second = this.translate(((va | K_PAGE_OFFSET_MASK) + 1) >>> 0, kind);
    if (second === FAULT) return FAULT;
    this.secondPfn = second;
    return first;
  }

  /**
   * The frame `va` maps to now, read from the page tables without any side
   * effect (no A/D update, no TLB, no fault state); FAULT if not present or
   * a reserved bit is set. `probeBits` gets the effective rights and D.
   */
  probe(va: number): number {
    if ((this.cr0 & CR0_PG) === 0) {
      this.probeBits = RW | USER | DIRTY;
      return va >>> K_PAGE_SHIFT;
    }
    const mem = this.memory;
    const pde = mem.read32((this.cr3 & ~0xfff) + ((va >>> 22) << 2));
    if ((pde & PRESENT) === 0) return FAULT;
    if ((pde & PS) !== 0 && (this.cr4 & CR4_PSE) !== 0) {
      if ((pde & K_LARGE_PDE_RESERVED_MASK) !== 0) return FAULT;
      this.probeBits = pde & (RIGHTS | DIRTY | GLOBAL);
      return ((pde >>> 12) & 0xffc00) | ((va >>> 12) & 0x3ff);
    }
    const pte = mem.read32((pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2));
    if ((pte & PRESENT) === 0) return FAULT;
    this.probeBits = (pde & pte & RIGHTS) | (pte & (DIRTY | GLOBAL));
    return pte >>> 12;
  }

  /**
   * Everything but a fast-mirror hit: the common miss (missFlat), then
   * paging off, the set-associative TLB, the walk, faults, strict checks.
   * Kept as one function on purpose: its size stays above V8's inlining
   * limit, so it is called, not inlined, from the callers' access loops,
   * whose registers stay with the hit path (inlined, the hit rate of npm
   * run bench -- --only=translate halved). missFlat is a function of its
   * own, called from here: written into this one, it left V8's inlining
   * budget to the general path's calls and ran a miss 4 ns slower.
   */
  private translateSlow(va: number, kind: number): number {
    const flat = this.missFlat(va, kind);
    if (flat !== NOT_FLAT) return flat;
    const c = this.counters;
    if ((this.cr0 & CR0_PG) === 0) {
      c.unpaged++;
      return va >>> K_PAGE_SHIFT;
    }
    const tlb = this.tlb;
    const state = this.state;
    if (state[K_CLOCK] >= RENUMBER_AT) this.renumberClock();
    const now = state[K_CLOCK] + 1;
    state[K_CLOCK] = now;
    tlb.now = now;
    const slot = tlb.lookup(va);
    if (slot >= 0) {
      const pfn = this.fromEntry(slot, va, kind);
      if (pfn !== WALK_AGAIN) return pfn;
    } else {
      c.misses++;
    }

    // The walk with its A/D updates (SDM 4.3, 4.6, 4.8).
    c.walks++;
    const mem = this.memory;
    const user = (kind & PF_USER) !== 0;
    const write = (kind & PF_WRITE) !== 0;
    const wp = (this.cr0 & CR0_WP) !== 0;
    const pdeAddr = (this.cr3 & ~0xfff) + ((va >>> 22) << 2);
    const pde = mem.read32(pdeAddr);
    if ((pde & PRESENT) === 0) return this.walkFault(va, kind);
    if ((pde & PS) !== 0 && (this.cr4 & CR4_PSE) !== 0) {
      if ((pde & K_LARGE_PDE_RESERVED_MASK) !== 0) return this.walkFault(va, kind | PF_PRESENT | PF_RSVD);
      if (!allowed(pde, user, write, wp)) return this.walkFault(va, kind | PF_PRESENT);
      const updated = pde | ACCESSED | (write ? DIRTY : 0);
      if (updated !== pde) this.setFlags(pdeAddr, updated);
      const base = (pde >>> 12) & 0xffc00;
      this.cache(va, base, updated & (RIGHTS | DIRTY | GLOBAL), pdeAddr, pdeAddr, true);
      return base | ((va >>> 12) & 0x3ff);
    }
    // QEMU sets PDE.A once the PDE is used, even if the PTE then faults.
    if ((pde & ACCESSED) === 0) this.setFlags(pdeAddr, pde | ACCESSED);
    const pteAddr = (pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2);
    const pte = mem.read32(pteAddr);
    if ((pte & PRESENT) === 0) return this.walkFault(va, kind);
    if (!allowed(pde & pte, user, write, wp)) return this.walkFault(va, kind | PF_PRESENT);
    const updated = pte | ACCESSED | (write ? DIRTY : 0);
    if (updated !== pte) this.setFlags(pteAddr, updated);
    const pfn = pte >>> 12;
    this.cache(va, pfn, (pde & pte & RIGHTS) | (updated & (DIRTY | GLOBAL)), pteAddr, pdeAddr, false);
    return pfn;
  }

  /**
   * The common TLB miss of a large working set, straight through: paging
   * on, the PDE present with A set, the PTE present, the rights allowing
   * the access, a full TLB set without the page. The walk then only sets
   * the PTE's A (and D for a write) if clear, and the fill replaces the
   * set's victim (Tlb.fillMiss, which checks the set before it changes
   * anything): the same reads, writes, counts and victim as translateSlow's
   * general path. A PTE not present faults the
   * same way (notPresentFlat). Returns the frame or FAULT, or NOT_FLAT
   * with nothing changed for every other case. The two page-table reads
   * come first, so the host's cache miss on the PTE starts as early as it can.
   */
  private missFlat(va: number, kind: number): number {
    const tlb = this.tlb;
    const state = this.state;
    const now = state[K_CLOCK] + 1;
    // flatFill compared with true: `!` on a field would test every falsy kind of value.
    if (tlb.flatFill !== true || (this.cr0 & CR0_PG) === 0 || now > K_RENUMBER_AT) return NOT_FLAT;
    const mem = this.memory;
    // `|`, not `+`: the same sums here (the low 12 bits are free), without V8's overflow checks.
    const pdeAddr = (this.cr3 & ~0xfff) | ((va >>> 22) << 2);
    const pde = mem.read32(pdeAddr);
    const pteAddr = (pde & ~0xfff) | ((va >>> 10) & 0xffc);
    if ((pde & (PRESENT | ACCESSED | PS)) !== (PRESENT | ACCESSED)) return NOT_FLAT;
    const pte = mem.read32(pteAddr);
    if ((pte & PRESENT) === 0) return this.notPresentFlat(va, kind, now);
    const updated = pte | ACCESSED | ((kind & PF_WRITE) << 5); // W (bit 1) to D (bit 6)
    const bits = (pde & pte & RIGHTS) | (updated & (DIRTY | GLOBAL));
    const allow = tlb.allowOf(bits);
    // The ALLOW bit of `kind`, D set for a write: exactly allowed(pde & pte, user, write, wp).
    if ((allow & (0x100000 << (kind & 6))) === 0) return NOT_FLAT;
    const pfn = pte >>> 12;
    if (tlb.fillMiss(va >>> 12, pfn, bits, pteAddr, pdeAddr, allow, now) < 0) return NOT_FLAT;
    state[K_CLOCK] = now;
    const c = this.counters;
    c.misses++;
    c.walks++;
    if (updated !== pte) mem.write32(pteAddr, updated);
    return pfn;
  }

  /**
   * missFlat's PTE is not present (a first touch, a page in swap): the
   * general path's fault, when the TLB lacks the page (Tlb.lacks): a
   * counted miss and walk, the clock stepped, and the #PF with `kind` as
   * its error code. That path's invalidatePage would find nothing to drop
   * (no entry for the page, and no 4 KiB pieces under flatFill), and a
   * fault fills nothing, so a set with a free way is no other case.
   * NOT_FLAT, nothing changed, otherwise. Its own function: the fault of
   * every demand-zero and swap-in, kept out of missFlat's straight line.
   */
  private notPresentFlat(va: number, kind: number, now: number): number {
    if (!this.tlb.lacks(va)) return NOT_FLAT;
    this.state[K_CLOCK] = now;
    const c = this.counters;
    c.misses++;
    c.walks++;
    return this.fault(va, kind);
  }

  /**
   * An access through the TLB entry in `slot`: its frame, a fault from the
   * cached rights (dropping the entry), or WALK_AGAIN for a permitted write
   * through an entry cached with D clear (hardware walks to set D).
   */
  private fromEntry(slot: number, va: number, kind: number): number {
    const tlb = this.tlb;
    const bits = tlb.bitsOf(slot);
    const write = (kind & PF_WRITE) !== 0;
    const permitted = allowed(bits, (kind & PF_USER) !== 0, write, (this.cr0 & CR0_WP) !== 0);
    if (permitted && write && (bits & DIRTY) === 0) return WALK_AGAIN;
    if (this.strict !== null) this.checkEntry(slot, va, kind);
    if (!permitted) {
      tlb.invalidatePage(va);
      return this.fault(va, kind | PF_PRESENT);
    }
    tlb.mirrorSlot(slot, va);
    return tlb.pfnOf(slot, va);
  }

  /** Renumbers the TLB's recency times and the clock from 1 up, keeping their order and every count. */
  private renumberClock(): void {
    this.clock = this.tlb.renumber();
  }

  /** Caches a walk's translation (`pfn` is the first frame of a 4 MiB page when `large`). */
  private cache(va: number, pfn: number, bits: number, leafAddr: number, dirAddr: number, large: boolean): void {
    const tlb = this.tlb;
    if (!tlb.enabled) return;
    const slot = tlb.insert(va, pfn, bits, leafAddr, dirAddr, large);
    if (this.strict !== null) this.strict.watch(slot, dirAddr, leafAddr);
  }

  /** A fault found by a walk; it also drops the page's TLB entries (SDM 4.10.4.1). */
  private walkFault(va: number, errorCode: number): number {
    this.tlb.invalidatePage(va);
    return this.fault(va, errorCode);
  }

  /** Strict mode: hands the entry in `slot` and the tables' current view of `va` to the checker. */
  private checkEntry(slot: number, va: number, kind: number): void {
    const tlb = this.tlb;
    const cachedBits = tlb.bitsOf(slot) & (RIGHTS | DIRTY);
    const cached = { present: true, pfn: tlb.pfnOf(slot, va), bits: cachedBits };
    const pfn = this.probe(va);
    const current = pfn === FAULT ? { present: false, pfn: 0, bits: 0 } : { present: true, pfn, bits: this.probeBits & (RIGHTS | DIRTY) };
    this.strict?.compare(slot, va, kind, cached, current, tlb.dirAddrOf(slot), tlb.leafAddrOf(slot));
  }

  /** Writes an A/D update of the walk, marked as the MMU's own for strict mode. */
  private setFlags(pa: number, value: number): void {
    const strict = this.strict;
    if (strict !== null) strict.mmuWriting = true;
    this.memory.write32(pa, value);
    if (strict !== null) strict.mmuWriting = false;
  }

  private fault(va: number, errorCode: number): number {
    this.cr2 = va >>> 0;
    this.errorCode = errorCode;
    return FAULT;
  }
}

/** Access rights of the effective entry (the AND of both levels' U/S and R/W). */
function allowed(rights: number, user: boolean, write: boolean, wp: boolean): boolean {
  if (user) {
    if ((rights & USER) === 0) return false;
    return !write || (rights & RW) !== 0;
  }
  return !write || !wp || (rights & RW) !== 0;
}
