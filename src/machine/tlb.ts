/**
 * The data TLB: a set-associative cache of translations, as the i386 family
 * built it, plus a flat mirror of it that makes a hit one array load.
 *
 * Architectural part. A main array of 4 KiB entries (`entries`, `ways`-way;
 * the set is the virtual page number modulo the number of sets, i.e. linear
 * address bits 14..12 on the 8-set 386/486 TLB) and, on the Pentium and P6,
 * a separate array of 4 MiB entries indexed by the 4 MiB page number. A
 * model without 4 MiB entries caches a 4 MiB page as 4 KiB pieces in the
 * main array. Each entry holds the frame, the effective rights (the AND of
 * U/S and R/W of both levels), the Dirty state and the Global bit as they
 * were when the walk filled it: nothing re-reads the page tables until the
 * entry is invalidated, so a changed PTE goes unseen, as on hardware.
 *
 * Replacement. An invalid way is always filled first. When the set is full:
 * - `pseudo-random` (i386): the 386 manual (ch. 12, TLB test registers)
 *   says the way to replace comes from a "replacement pointer" changed "by a
 *   proprietary algorithm after every TLB hit". We model it as a xorshift32
 *   sequence stepped at each replacement: pseudo-random, yet deterministic
 *   so runs are reproducible, and free on the hit path.
 * - `tree-plru` (i486 and later): the i486 manuals state that the TLB uses
 *   the same pseudo-LRU as the on-chip cache: a binary tree of ways-1 bits
 *   per set, each pointing away from the half used last (3 bits for 4 ways;
 *   hence ways must be a power of two). The Pentium and P6 keep a
 *   pseudo-LRU; we use the same tree. Each bit is
 *   a function of which half holds the latest use, so the model keeps the
 *   time of each way's last use instead of the bits and derives the victim
 *   from it when a set overflows: a hit then only stores its time (its
 *   stamp), and the victim is exactly the one the tree would pick.
 *
 * Fast mirror. The mirror (one Int32 per virtual page) holds, for every page
 * the architectural TLB currently translates, `pfn | ALLOW bits`, and 0
 * otherwise (layout below). It is written when an entry is filled (or first
 * used, for the pages of a 4 MiB entry) and cleared when the entry is
 * evicted, invalidated or flushed, so it never claims a translation the
 * model does not hold and hits and misses are those of the modelled TLB. A
 * flush visits only the valid entries (at most `entries + largeEntries`).
 *
 * One array. The mirror, the stamps, the MMU's clock and the entries
 * themselves share one Int32Array, `state` (layout: STATE below), so the
 * hit path checks and indexes a single object (after every slow-path call
 * V8 must re-check whatever the loop uses, and three arrays cost it three
 * times that), and so does a fill (seven arrays cost its every miss about
 * 4 ns over one, npm run bench -- --only=scale --part=walk-target). A
 * page's mirror entry and stamp sit side by side, in one cache line: over
 * a large working set (150,000 pages) a hit then misses the host's cache
 * once, not twice, and choosing a victim reads the stamps of the set's
 * ways from the lines their fills wrote, not from lines long evicted.
 *
 * Stamps follow the mirror: a page's stamp is cleared with its mirror entry
 * when its entry goes, so a stamp is set only for a page some valid entry
 * translates, and renumbering the clock visits only those, not 2^20.
 *
 * Cost. `state` takes 8 MiB per TLB, zeroed when it is allocated (glibc's
 * calloc zeroes heap memory once a freed block has raised its mmap
 * threshold): 1-3 ms per machine, and the collector's work for each 8 MiB
 * of external memory. A TLB that is done with (`release`, when its System
 * is closed) is flushed, which leaves the mirror and stamps zero (above),
 * and hands its array to the next TLB of the same size (spare-arrays.ts): a sweep, a
 * playground's re-runs or the test suite build thousands of machines, and
 * the suite's CPU fell by 8 % when they stopped allocating. Exact hit counts
 * and exact pseudo-LRU cost the hit path one clock increment and one store;
 * bench/translate.bench.ts measures what that leaves of a bare lookup loop.
 */

import { InputError } from "./input-error.js";
import { giveBackZeroed, zeroedInt32Array } from "./spare-arrays.js";
import { PTE } from "./i386.js";
import type { TlbShape } from "./cpu-model.js";

// Hardware constants copied into module-local bindings: under a CommonJS-style
// transform (tsx, vitest) each use of an imported binding is a getter call, which
// the per-access path cannot afford.
const { DIRTY, GLOBAL, RW, USER } = PTE;

/**
 * Mirror entry layout: the frame number in bits 19..0 (so a hit is `e &
 * FAST_PFN_MASK`, a small non-negative int), and in bits 20 + kind the right to
 * use the entry as is for an access of that kind (W|U of the #PF code).
 */
export const FAST_PFN_MASK = 0xfffff;
export const ALLOW = {
  SUPERVISOR_READ: 1 << 20,
  /** Supervisor write: rights allow it and Dirty is already set. */
  SUPERVISOR_WRITE: 1 << 22,
  USER_READ: 1 << 24,
  /** User write: U/S, R/W and Dirty all set. */
  USER_WRITE: 1 << 26,
} as const;

/**
 * Where things live in `Tlb.state`: page `vpn`'s mirror entry at 2 vpn, its
 * stamp at 2 vpn + 1, the MMU's clock at CLOCK, and from ENTRIES the TLB's
 * entries, ENTRY_WORDS words each (fields below; see entryAt).
 */
export const STATE = { CLOCK: 2 << 20, ENTRIES: (2 << 20) + 16 } as const;
/** STATE.ENTRIES as a module-local binding: entryAt is on the TLB miss path, and an exported binding is a cell. */
const ENTRIES_AT = (2 << 20) + 16;

/** The stand-in of released TLBs, by length (see Tlb.release). */
const releasedStates = new Map<number, Int32Array>();

function releasedState(length: number, slots: number): Int32Array {
  let state = releasedStates.get(length);
  if (state === undefined) {
    state = new Int32Array(length);
    for (let slot = 0; slot < slots; slot++) state[entryAt(slot)] = INVALID;
    releasedStates.set(length, state);
  }
  return state;
}

/** Index of page `vpn`'s mirror entry in `Tlb.state` (its stamp is the next one). */
function mirrorAt(vpn: number): number {
  return vpn << 1;
}

/**
 * An entry's words in `Tlb.state`, from entryAt(slot): its tag (vpn or 4 MiB
 * page number, or INVALID) at 0, then these. One array for the mirror and
 * the entries: a TLB fill then checks and indexes one object, not seven.
 */
/** Frame number (4 MiB slots: the first frame of the page). */
const FRAME = 1;
/** RW | USER | DIRTY | GLOBAL | PIECE. */
const BITS = 2;
/** Physical address of the entry that gave the frame (PTE, or PDE of a 4 MiB page). */
const LEAF = 3;
/** Physical address of the PDE used. */
const DIR = 4;
/**
 * Clock value of the entry's last fill or slow-path hit. With the page's
 * stamp (its last hit through the mirror, written by the MMU's hit path),
 * the recency that drives tree pseudo-LRU.
 */
const TOUCHED = 5;
/** 4 MiB slots: 1 once some page of it has been written to the mirror. */
const LARGE_MIRRORED = 6;
const ENTRY_SHIFT = 3;
const ENTRY_WORDS = 1 << ENTRY_SHIFT;

/** Index in `Tlb.state` of the entry in `slot` (its tag; the fields follow). */
function entryAt(slot: number): number {
  return ENTRIES_AT + (slot << ENTRY_SHIFT);
}

/** Entry flag (in `bits`): a 4 KiB piece of a 4 MiB page, in the main array. */
const PIECE = 1 << 12;
const INVALID = -1;
const PAGES_PER_LARGE = 1024;

export type Replacement = "pseudo-random" | "tree-plru";

/** Geometry of a TLB: a CPU's shape and its replacement; `entries: 0` is a TLB that is off (every access walks). */
export interface TlbGeometry extends TlbShape {
  readonly replacement: Replacement;
}

/** One valid TLB entry as an inspector sees it (Tlb.entries). */
export interface TlbEntryView {
  readonly slot: number;
  /** The main array (4 KiB entries and pieces of 4 MiB pages) or the 4 MiB array. */
  readonly array: "4K" | "4M";
  readonly set: number;
  readonly way: number;
  /** First linear address it translates (its page, or its 4 MiB page). */
  readonly va: number;
  /** Its frame (a 4 MiB entry: the page's first frame). */
  readonly pfn: number;
  /** RW | USER | DIRTY | GLOBAL as cached. */
  readonly bits: number;
  readonly large: boolean;
  /** Physical addresses of the PTE (a 4 MiB page: its PDE) and PDE it was filled from. */
  readonly pteAddr: number;
  readonly pdeAddr: number;
}

export class TlbShapeError extends InputError {
  override name = "TlbShapeError";
}

/** Throws TlbShapeError unless `entries`/`ways` describe a buildable set-associative array. */
export function checkTlbShape(entries: number, ways: number, what = "TLB"): void {
  if (!Number.isInteger(entries) || entries < 0) throw new TlbShapeError(`${what}: entries must be a whole number >= 0, got ${entries}`);
  if (entries === 0) return;
  if (!Number.isInteger(ways) || ways < 1 || (ways & (ways - 1)) !== 0) {
    throw new TlbShapeError(`${what}: ways must be a power of two (a pseudo-LRU tree), got ${ways}`);
  }
  if (entries % ways !== 0) throw new TlbShapeError(`${what}: ${entries} entries is not a multiple of ${ways} ways`);
}

export class Tlb {
  readonly geometry: TlbGeometry;
  /** The mirror, the stamps and the clock, laid out as STATE says; the MMU's hit path reads and writes it. Replaced only by release. */
  readonly state: Int32Array;
  /** False (strict mode) keeps the mirror empty so every access reaches the checked slow path. */
  readonly mirror: boolean;
  /** Clock value of the translation in progress, set by the MMU before lookup/insert. */
  now = 0;

  private readonly sets: number;
  /** Ways per set of the main and the 4 MiB array (the geometry's, as fields: read on every miss). */
  private readonly ways: number;
  private readonly largeWays: number;
  private readonly largeSets: number;
  private readonly largeBase: number;
  /** Slots: main array first, then 4 MiB entries; their fields are in `state` (see entryAt). */
  private readonly slots: number;
  private random = 0x2545f491;
  private readonly randomReplacement: boolean;
  /** sets - 1 when the number of sets is a power of two (every preset), else -1: use `%`. */
  private readonly setMask: number;
  private readonly largeSetMask: number;
  /** `encode`'s ALLOW bits under the current CR0.WP, by allowIndex of an entry's bits (a load, not branches). */
  private readonly allow = new Int32Array(16);
  private pieces = 0;
  /**
   * 4 KiB fills may take fillMiss (from insert and the MMU's flat miss
   * path): 4-way sets, a power-of-two number of them, tree
   * pseudo-LRU, the mirror on, and no 4 KiB piece of a 4 MiB page cached (a
   * victim that is a piece needs invalidateSlot's count). Read it through
   * `flatFill`.
   */
  private plainFill = false;
  private released = false;
  private readonly plainShape: boolean;
  private wp = false;

  /** `mirror` false: strict mode (see `mirror`); `flat` false: no fillMiss, every fill by claim (see plainFill). */
  constructor(geometry: TlbGeometry, mirror = true, flat = true) {
    checkTlbShape(geometry.entries, geometry.ways);
    checkTlbShape(geometry.largeEntries, geometry.largeWays, "4 MiB TLB");
    this.geometry = geometry;
    const on = geometry.entries > 0;
    this.mirror = mirror && on;
    this.sets = on ? geometry.entries / geometry.ways : 0;
    this.ways = geometry.ways;
    this.largeWays = geometry.largeWays;
    const largeEntries = on ? geometry.largeEntries : 0;
    this.largeSets = largeEntries > 0 ? largeEntries / geometry.largeWays : 0;
    this.largeBase = on ? geometry.entries : 0;
    this.randomReplacement = geometry.replacement === "pseudo-random";
    this.setMask = (this.sets & (this.sets - 1)) === 0 ? this.sets - 1 : -1;
    this.largeSetMask = (this.largeSets & (this.largeSets - 1)) === 0 ? this.largeSets - 1 : -1;
    const slots = this.largeBase + largeEntries;
    this.slots = slots;
    this.state = zeroedInt32Array(entryAt(slots));
    for (let slot = 0; slot < slots; slot++) this.state[entryAt(slot)] = INVALID;
    fillAllowTable(this.allow, false);
    this.plainShape = flat && this.mirror && this.ways === 4 && this.setMask >= 0 && !this.randomReplacement;
    this.plainFill = this.plainShape;
  }

  /**
   * The TLB is done with: its array, flushed (mirror and stamps zero) and
   * its clock and entries reset, goes to the next TLB of its size, and
   * this one reads and writes a stand-in shared by released TLBs (every
   * entry invalid, unless a released TLB was used after all), so that it
   * can never see or change the machine that now has the array.
   * Idempotent. Nothing may translate through this TLB afterwards.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.flush(false);
    this.state.fill(0, STATE.CLOCK); // with the mirror and stamps the flush cleared: all zero
    giveBackZeroed(this.state);
    (this as { state: Int32Array }).state = releasedState(this.state.length, this.slots);
  }

  get enabled(): boolean {
    return this.sets > 0;
  }

  /** A miss may be filled by fillMiss (see plainFill). */
  get flatFill(): boolean {
    return this.plainFill;
  }

  /** The slot translating `va` (main array first, then 4 MiB entries), marked recently used; -1 on a miss. */
  lookup(va: number): number {
    if (this.sets === 0) return -1;
    const vpn = va >>> 12;
    let slot = this.findWay(this.setOf(vpn) * this.ways, this.ways, vpn);
    if (slot < 0 && this.largeSets > 0) {
      const lpn = va >>> 22;
      slot = this.findWay(this.largeBase + this.largeSetOf(lpn) * this.largeWays, this.largeWays, lpn);
    }
    if (slot >= 0) this.touch(slot, vpn);
    return slot;
  }

  /**
   * Caches a translation of `va` from a walk; `large` for a 4 MiB page,
   * whose `pfn` is then the page's first frame. Returns the slot (-1 if off).
   */
  insert(va: number, pfn: number, bits: number, leafAddr: number, dirAddr: number, large: boolean): number {
    if (this.sets === 0) return -1;
    if (large) return this.insertLarge(va, pfn, bits, leafAddr, dirAddr);
    // The 4 KiB fill (every TLB miss of a large working set) writes its mirror entry directly.
    const vpn = va >>> 12;
    if (this.plainFill) {
      // A full set lacking the page (every miss past the first fills): fillMiss; its other cases to claim.
      const filled = this.fillMiss(vpn, pfn, bits, leafAddr, dirAddr, this.allow[allowIndex(bits)], this.now);
      if (filled >= 0) return filled;
    }
    const slot = this.claim(this.setOf(vpn) * this.ways, this.ways, vpn);
    this.fill(slot, vpn, pfn, bits, leafAddr, dirAddr);
    if (this.mirror) this.state[mirrorAt(vpn)] = encode(pfn, bits, this.wp);
    return slot;
  }

  /**
   * True when no entry translates `va`, of either size: a walk for it
   * starts from a miss. Changes nothing (the MMU's flat fault asks before
   * it changes any state).
   */
  lacks(va: number): boolean {
    return this.lookupQuiet(va) < 0 && !(this.largeSets > 0 && this.largeHolds(va >>> 22));
  }

  /**
   * A miss on page `vpn` filled by replacement, when `plainFill` holds: if
   * the page's main set is full (4 ways, all valid), none of them holds the
   * page and no 4 MiB entry does, the tree's victim is
   * evicted (no 4 KiB pieces under plainFill, so its mirror entry is all
   * there is to drop), the entry written and used at `now`, and its mirror
   * entry set to `pfn | allow` (allow: the ALLOW bits of `bits`, see
   * allowOf); returns the slot. Otherwise -1, nothing changed (claim's
   * cases). The check and the fill in one: the set's four tags are read
   * once, and the less code a miss runs, the sooner the host's core reaches
   * the next access's cache misses.
   */
  fillMiss(vpn: number, pfn: number, bits: number, leafAddr: number, dirAddr: number, allow: number, now: number): number {
    const state = this.state;
    const base = (vpn & this.setMask) << 2;
    const at = entryAt(base);
    const t0 = state[at];
    const t1 = state[at + ENTRY_WORDS];
    const t2 = state[at + 2 * ENTRY_WORDS];
    const t3 = state[at + 3 * ENTRY_WORDS];
    // INVALID is -1: a way is free when its tag is negative.
    if ((t0 | t1 | t2 | t3) < 0 || t0 === vpn || t1 === vpn || t2 === vpn || t3 === vpn) return -1;
    if (this.largeSets > 0 && this.largeHolds(vpn >>> 10)) return -1;
    const way = treeVictim4(state[(t0 << 1) | 1], state[(t1 << 1) | 1], state[(t2 << 1) | 1], state[(t3 << 1) | 1]);
    const e = at + (way << ENTRY_SHIFT);
    const evicted = state[e] << 1;
    state[evicted] = 0;
    state[evicted | 1] = 0;
    state[e] = vpn;
    state[e + FRAME] = pfn;
    state[e + BITS] = bits;
    state[e + LEAF] = leafAddr;
    state[e + DIR] = dirAddr;
    state[e + TOUCHED] = now;
    const m = vpn << 1;
    state[m | 1] = now;
    state[m] = pfn | allow;
    return base + way;
  }

  /** The mirror's ALLOW bits for an entry with `bits` (RW, USER, DIRTY) under the current CR0.WP. */
  allowOf(bits: number): number {
    return this.allow[allowIndex(bits)];
  }

  /** True when the 4 MiB array holds 4 MiB page `lpn`. */
  private largeHolds(lpn: number): boolean {
    const base = this.largeBase + this.largeSetOf(lpn) * this.largeWays;
    return this.findWay(base, this.largeWays, lpn) >= 0;
  }

  /** insert of a 4 MiB page: a 4 MiB entry, or on a CPU without them a 4 KiB piece in the main array. */
  private insertLarge(va: number, pfn: number, bits: number, leafAddr: number, dirAddr: number): number {
    let slot: number;
    if (this.largeSets > 0) {
      const lpn = va >>> 22;
      slot = this.claim(this.largeBase + this.largeSetOf(lpn) * this.largeWays, this.largeWays, lpn);
      this.fill(slot, lpn, pfn, bits, leafAddr, dirAddr);
    } else {
      const vpn = va >>> 12;
      slot = this.claim(this.setOf(vpn) * this.ways, this.ways, vpn);
      this.fill(slot, vpn, pfn | (vpn & (PAGES_PER_LARGE - 1)), bits | PIECE, leafAddr, dirAddr);
      this.pieces++;
      this.plainFill = false;
    }
    this.mirrorSlot(slot, va);
    return slot;
  }

  /** Writes the entry in `slot`, used now. */
  private fill(slot: number, tag: number, pfn: number, bits: number, leafAddr: number, dirAddr: number): void {
    const state = this.state;
    const e = entryAt(slot);
    state[e] = tag;
    state[e + FRAME] = pfn;
    state[e + BITS] = bits;
    state[e + LEAF] = leafAddr;
    state[e + DIR] = dirAddr;
    this.touch(slot, tag);
  }

  /**
   * Marks the entry in `slot` (tag `tag`) used now. A main-array entry's
   * page also gets the time as its stamp, which hits then only raise: the
   * stamp alone is the entry's last use, one load when choosing a victim.
   */
  private touch(slot: number, tag: number): void {
    this.state[entryAt(slot) + TOUCHED] = this.now;
    if (slot < this.largeBase) this.state[mirrorAt(tag) + 1] = this.now;
  }

  /** The tag of the entry in `slot` (INVALID when free). */
  private tagOf(slot: number): number {
    return this.state[entryAt(slot)];
  }

  /** Field `field` (FRAME, BITS...) of the entry in `slot`. */
  private word(slot: number, field: number): number {
    return this.state[entryAt(slot) + field];
  }

  /** Frame number the entry in `slot` gives for `va`. */
  pfnOf(slot: number, va: number): number {
    return slot >= this.largeBase ? this.word(slot, FRAME) | ((va >>> 12) & (PAGES_PER_LARGE - 1)) : this.word(slot, FRAME);
  }

  /** RW | USER | DIRTY | GLOBAL of the entry in `slot`. */
  bitsOf(slot: number): number {
    return this.word(slot, BITS) & (RW | USER | DIRTY | GLOBAL);
  }

  /** True for an entry from a 4 MiB page (a 4 MiB slot or a 4 KiB piece of one). */
  isLarge(slot: number): boolean {
    return slot >= this.largeBase || (this.word(slot, BITS) & PIECE) !== 0;
  }

  leafAddrOf(slot: number): number {
    return this.word(slot, LEAF);
  }

  dirAddrOf(slot: number): number {
    return this.word(slot, DIR);
  }

  /** Writes the entry's translation of `va` into the fast mirror. */
  mirrorSlot(slot: number, va: number): void {
    if (!this.mirror) return;
    if (slot >= this.largeBase) this.state[entryAt(slot) + LARGE_MIRRORED] = 1;
    this.state[mirrorAt(va >>> 12)] = encode(this.pfnOf(slot, va), this.word(slot, BITS), this.wp);
  }

  /** Drops the entry in `slot`. */
  invalidateSlot(slot: number): void {
    const tag = this.tagOf(slot);
    if (tag === INVALID) return;
    this.state[entryAt(slot)] = INVALID;
    if (slot >= this.largeBase) {
      if (this.word(slot, LARGE_MIRRORED) !== 0) {
        this.state[entryAt(slot) + LARGE_MIRRORED] = 0;
        this.unmirrorLarge(tag);
      }
      return;
    }
    if ((this.word(slot, BITS) & PIECE) !== 0 && --this.pieces === 0) this.plainFill = this.plainShape;
    this.state[mirrorAt(tag)] = 0;
    this.state[mirrorAt(tag) + 1] = 0;
  }

  /** INVLPG / #PF: drops every entry for the page of `va`, of either size, global or not. */
  invalidatePage(va: number): void {
    const slot = this.lookupQuiet(va);
    if (slot >= 0) this.invalidateSlot(slot);
    if (this.largeSets > 0) {
      const lpn = va >>> 22;
      const lways = this.geometry.largeWays;
      const lbase = this.largeBase + this.largeSetOf(lpn) * lways;
      for (let w = 0; w < lways; w++) if (this.tagOf(lbase + w) === lpn) this.invalidateSlot(lbase + w);
    }
    if (this.pieces > 0) {
      const lpn = va >>> 22;
      for (let s = 0; s < this.largeBase; s++) {
        if ((this.word(s, BITS) & PIECE) !== 0 && this.tagOf(s) !== INVALID && this.tagOf(s) >>> 10 === lpn) this.invalidateSlot(s);
      }
    }
  }

  /** Drops every entry; with `keepGlobal`, entries whose G bit was set survive (CR3 load under CR4.PGE). */
  flush(keepGlobal: boolean): void {
    for (let s = 0; s < this.slots; s++) {
      if (this.tagOf(s) === INVALID) continue;
      if (keepGlobal && (this.word(s, BITS) & GLOBAL) !== 0) continue;
      this.invalidateSlot(s);
    }
  }

  /** CR0.WP changed: the cached rights stay, what they allow changes, so re-encode the mirror. */
  setWp(wp: boolean): void {
    if (wp === this.wp) return;
    this.wp = wp;
    fillAllowTable(this.allow, wp);
    if (!this.mirror) return;
    for (let s = 0; s < this.slots; s++) {
      const tag = this.tagOf(s);
      if (tag === INVALID) continue;
      if (s >= this.largeBase) {
        if (this.word(s, LARGE_MIRRORED) !== 0) {
          // The entry stays: its pages' hits, about to be cleared with their mirror entries, become its fill time.
          this.state[entryAt(s) + TOUCHED] = this.lastUse(s);
          this.unmirrorLarge(tag);
        }
        this.state[entryAt(s) + LARGE_MIRRORED] = 0;
      } else {
        this.state[mirrorAt(tag)] = encode(this.word(s, FRAME), this.word(s, BITS), wp);
      }
    }
  }

  /**
   * Renumbers the recency times of the valid entries (fills, slow-path hits
   * and `stamp`s) 1..n in their order, ties kept; returns n, the clock
   * value to go on from. Exact: the victim choice compares these times
   * only. Lets the MMU keep its clock small. Only the valid entries' stamps
   * need visiting: a page's stamp is cleared with its mirror entry when its
   * entry goes (invalidateSlot, fillMiss, unmirrorLarge), so no stale
   * stamp from before can outrank the renumbered ones.
   */
  renumber(): number {
    const live: number[] = [];
    const times: number[] = [];
    for (let s = 0; s < this.slots; s++) {
      const tag = this.tagOf(s);
      if (tag === INVALID) continue;
      times.push(this.word(s, TOUCHED));
      // A main-array entry's page always has its stamp (touch writes it, mirror or not); a 4 MiB entry's pages once mirrored.
      const large = s >= this.largeBase;
      if (large && this.word(s, LARGE_MIRRORED) === 0) continue;
      const from = large ? tag * PAGES_PER_LARGE : tag;
      const to = large ? from + PAGES_PER_LARGE : tag + 1;
      for (let v = from; v < to; v++) {
        if (this.stampOf(v) === 0) continue;
        live.push(v);
        times.push(this.stampOf(v));
      }
    }
    const order = [...new Set(times)].sort((a, b) => a - b);
    const rank = new Map(order.map((time, i) => [time, i + 1] as const));
    const liveRanks = live.map((v) => rank.get(this.stampOf(v)) ?? 0);
    const state = this.state;
    live.forEach((v, i) => (state[mirrorAt(v) + 1] = liveRanks[i]));
    for (let s = 0; s < this.slots; s++) this.state[entryAt(s) + TOUCHED] = this.tagOf(s) === INVALID ? 0 : (rank.get(this.word(s, TOUCHED)) ?? 0);
    return order.length;
  }

  /**
   * The valid entries as they are (main array, then 4 MiB entries), for
   * inspectors: reading them changes no replacement state.
   */
  entries(): TlbEntryView[] {
    const out: TlbEntryView[] = [];
    for (let s = 0; s < this.slots; s++) {
      const tag = this.tagOf(s);
      if (tag === INVALID) continue;
      const largeSlot = s >= this.largeBase;
      const ways = largeSlot ? this.geometry.largeWays : this.geometry.ways;
      const index = largeSlot ? s - this.largeBase : s;
      out.push({
        slot: s,
        array: largeSlot ? "4M" : "4K",
        set: Math.floor(index / ways),
        way: index % ways,
        va: largeSlot ? (tag << 22) >>> 0 : (tag << 12) >>> 0,
        pfn: this.word(s, FRAME),
        bits: this.bitsOf(s),
        large: this.isLarge(s),
        pteAddr: this.word(s, LEAF) >>> 0,
        pdeAddr: this.word(s, DIR) >>> 0,
      });
    }
    return out;
  }

  /** Sets of the main array (0 when off). */
  get setCount(): number {
    return this.sets;
  }

  /** Valid entries now (main and 4 MiB). */
  get occupancy(): number {
    let n = 0;
    for (let s = 0; s < this.slots; s++) if (this.tagOf(s) !== INVALID) n++;
    return n;
  }

  private setOf(vpn: number): number {
    return this.setMask >= 0 ? vpn & this.setMask : vpn % this.sets;
  }

  private largeSetOf(lpn: number): number {
    return this.largeSetMask >= 0 ? lpn & this.largeSetMask : lpn % this.largeSets;
  }

  /** Like lookup, without touching the replacement state (main array only). */
  private lookupQuiet(va: number): number {
    if (this.sets === 0) return -1;
    const vpn = va >>> 12;
    return this.findWay(this.setOf(vpn) * this.ways, this.ways, vpn);
  }

  /**
   * The first slot of the set at `base` (`ways` ways) whose tag is `tag`, or
   * -1. Every preset's sets have 4 ways: unrolled, a TLB miss (every access
   * on a large working set) costs four compares and no loop.
   */
  private findWay(base: number, ways: number, tag: number): number {
    if (ways !== 4) return this.scanWays(base, ways, tag);
    const state = this.state;
    const at = entryAt(base);
    if (state[at] === tag) return base;
    if (state[at + ENTRY_WORDS] === tag) return base + 1;
    if (state[at + 2 * ENTRY_WORDS] === tag) return base + 2;
    return state[at + 3 * ENTRY_WORDS] === tag ? base + 3 : -1;
  }

  /** findWay for sets of other sizes (a --tlb shape of the user's). */
  private scanWays(base: number, ways: number, tag: number): number {
    for (let w = 0; w < ways; w++) if (this.tagOf(base + w) === tag) return base + w;
    return -1;
  }

  /** A slot of the set at `base` for `tag`: the same tag, else the first invalid way, else the victim (evicted). */
  private claim(base: number, ways: number, tag: number): number {
    let slot = this.findWay(base, ways, tag);
    if (slot < 0) slot = this.findWay(base, ways, INVALID);
    if (slot < 0) slot = base + this.victim(base, ways);
    if (this.tagOf(slot) !== INVALID) this.invalidateSlot(slot);
    return slot;
  }

  /**
   * The way to evict from a full set. Kept small, the rare cases in
   * functions of their own, so that V8 inlines the common one (a 4-way main
   * set under tree pseudo-LRU) into the TLB miss path: its inlining budget
   * per optimised function is what limits that path's speed.
   */
  private victim(base: number, ways: number): number {
    if (this.randomReplacement) return this.randomWay(ways);
    // Every preset: the three-bit tree of the i486 manual, unrolled, on the main array's stamps.
    if (ways === 4 && base < this.largeBase) {
      return treeVictim4(this.mainLastUse(base), this.mainLastUse(base + 1), this.mainLastUse(base + 2), this.mainLastUse(base + 3));
    }
    return this.treeWay(base, ways);
  }

  /** The i386's replacement pointer, stepped at each replacement. */
  private randomWay(ways: number): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x >>> 0) % ways;
  }

  /**
   * Tree pseudo-LRU over any power-of-two set (4 MiB entries included): each
   * node's bit points away from the half used last, i.e. towards the half
   * whose latest use is older.
   */
  private treeWay(base: number, ways: number): number {
    if (ways === 4) return treeVictim4(this.lastUse(base), this.lastUse(base + 1), this.lastUse(base + 2), this.lastUse(base + 3));
    let lo = 0;
    let hi = ways;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.latestUse(base + lo, base + mid) <= this.latestUse(base + mid, base + hi)) hi = mid;
      else lo = mid;
    }
    return lo;
  }

  /** Latest use of the ways in slots [from, to). */
  private latestUse(from: number, to: number): number {
    let latest = -1;
    for (let slot = from; slot < to; slot++) {
      const t = this.lastUse(slot);
      if (t > latest) latest = t;
    }
    return latest;
  }

  /** lastUse of a valid main-array slot: its page's stamp (see `touch`). */
  private mainLastUse(slot: number): number {
    return this.state[mirrorAt(this.tagOf(slot)) + 1];
  }

  /** Clock value of the last use of the way in `slot` (fill, slow-path hit, or fast hit). */
  private lastUse(slot: number): number {
    let t = this.word(slot, TOUCHED);
    const tag = this.tagOf(slot);
    if (slot < this.largeBase) {
      const hit = this.stampOf(tag);
      return hit > t ? hit : t;
    }
    if (this.word(slot, LARGE_MIRRORED) !== 0) {
      for (let v = tag * PAGES_PER_LARGE; v < (tag + 1) * PAGES_PER_LARGE; v++) if (this.stampOf(v) > t) t = this.stampOf(v);
    }
    return t;
  }

  /** Clock value of page `vpn`'s last hit through the mirror (0: none since the last renumbering). */
  private stampOf(vpn: number): number {
    return this.state[mirrorAt(vpn) + 1];
  }

  /** Clears the mirror entries and stamps of the 1,024 pages of 4 MiB page `lpn`. */
  private unmirrorLarge(lpn: number): void {
    this.state.fill(0, mirrorAt(lpn * PAGES_PER_LARGE), mirrorAt((lpn + 1) * PAGES_PER_LARGE));
  }
}

/**
 * The way the i486's three-bit tree evicts from a full 4-way set whose
 * ways were last used at r0..r3 (clock values in 0..2^30, so differences
 * are exact int32s): the root points away from the pair used last, each
 * pair's bit away from its way used last; a tie goes to the lower way.
 * Sign bits rather than branches: on a large working set the choice is
 * random, and a mispredicted branch costs more than this arithmetic.
 */
function treeVictim4(r0: number, r1: number, r2: number, r3: number): number {
  // max(a, b) as a - ((a - b) & sign mask of a - b): V8 compiles Math.max and ?: to branches.
  const d01 = r0 - r1;
  const d23 = r2 - r3;
  const left = r0 - (d01 & (d01 >> 31));
  const right = r2 - (d23 & (d23 >> 31));
  const evictRight = (right - left) >>> 31; // the left pair was used last
  const pick = 0 - evictRight; // all ones: look at the right pair (not -evictRight: -0 is a double)
  const inPair = (((r1 - r0) & ~pick) | ((r3 - r2) & pick)) >>> 31;
  return (evictRight << 1) | inPair;
}

/** Index in Tlb.allow of an entry's RW, USER and DIRTY bits: RW and USER where they are, DIRTY as 8. */
function allowIndex(bits: number): number {
  return (bits & (RW | USER)) | ((bits & DIRTY) >>> 3);
}

/** Fills `table` (16 entries) with encode's ALLOW bits for each allowIndex under CR0.WP = `wp`. */
function fillAllowTable(table: Int32Array, wp: boolean): void {
  for (const rw of [0, RW]) for (const user of [0, USER]) for (const dirty of [0, DIRTY]) table[allowIndex(rw | user | dirty)] = encode(0, rw | user | dirty, wp);
}

/** `pfn | ALLOW bits` for an entry with `bits` (RW, USER, DIRTY) under CR0.WP = `wp`. */
function encode(pfn: number, bits: number, wp: boolean): number {
  const rw = (bits & RW) !== 0;
  const user = (bits & USER) !== 0;
  const dirty = (bits & DIRTY) !== 0;
  let e = pfn | ALLOW.SUPERVISOR_READ;
  if (dirty && (rw || !wp)) e |= ALLOW.SUPERVISOR_WRITE;
  if (user) e |= ALLOW.USER_READ;
  if (user && rw && dirty) e |= ALLOW.USER_WRITE;
  return e;
}
