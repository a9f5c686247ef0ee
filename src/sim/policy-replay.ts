/**
 * Policy-only replay: a page reference string through a replacement policy
 * with a fixed number of frames, counting misses — what textbook simulators
 * (libCacheSim, OSTEP's paging-policy.py) compute, with vmm386's own policies,
 * and the fast path behind `--user-frames` with the TLB off.
 *
 * A miss is a reference to a page that is not resident; memory starts empty,
 * so cold misses count. Free frames are used in order 0, 1, 2, ...; once all
 * are used, the policy picks a victim, which is removed, and the new page is
 * loaded into its frame. The host is a byte per frame, set by every
 * reference, so CLOCK's "referenced since I last asked?" has Accessed-bit
 * semantics. Whether the faulting reference itself sets the new frame's bit
 * is `faultSetsReferenced`: true is what an i386 does (the retried access sets
 * Accessed; pagesim CLOCK-R1), false is libCacheSim's Clock (CLOCK-R0).
 *
 * A policy with working-set detection (linux, mglru) gets its shadow
 * entries kept by page number, as the VMM keeps them by swap slot, and
 * MGLRU's aging walk reports the frames whose byte is set, in frame order.
 *
 * The inner loops are monomorphic, allocation-free and branch on the page's
 * frame only; everything else (misses, table growth) is out of line. The
 * page table and the shadows hold their entry plus one, 0 for none, so
 * that a table is used as allocated, zeroed: filling 2^20 entries (the
 * public traces' stack pages reach 0xfeffd) with -1, and as many shadows,
 * took ~4 ms of CPU (most of it page faults) of a linux replay's 23 on a
 * 3-million-reference string.
 */
import type {
  FutureKnowledge,
  ReferencedFrameSink,
  ReplacementHost,
  ReplacementPolicy,
  WorkingSetHooks,
  WorkingSetStat,
} from "../kernel/replacement/policy.js";
import { giveBackZeroed, zeroedInt32Array } from "../machine/spare-arrays.js";
import { NEVER, linkNextUses } from "./next-use.js";
import { choiceNeedsFuture, policyFactory, policyLabel, type PolicyChoice } from "./policy-spec.js";

/** Page numbers must be below this (the page table is a flat array). */
export const MAX_REPLAY_PAGE = 1 << 26;

export interface PolicyReplayOptions {
  /** Page frames available (> 0). */
  readonly frames: number;
  /** A built-in policy (with parameters) or a loaded plugin. */
  readonly policy: PolicyChoice;
  /** The faulting reference sets the loaded page's referenced bit (default true, the i386 behaviour). */
  readonly faultSetsReferenced?: boolean;
  /** The whole string's future; required for "opt" (see `NextUseTable.build`). */
  readonly future?: NextUseTable;
  /**
   * One more than the string's highest page, when the caller knows it
   * (`replayAtFrameCounts` does): the page table is allocated at that size
   * once instead of doubling up to it. A higher page still grows it.
   */
  readonly pages?: number;
}

export interface PolicyReplayResult {
  /** The policy as `policyLabel` shows it (`lru`, `2q:kin=0.1`, `./my-policy.js`). */
  readonly policy: string;
  readonly frames: number;
  readonly references: number;
  readonly misses: number;
  /** misses / references (0 for an empty string). */
  readonly missRatio: number;
  /** The policy's LRU-list and working-set counters (linux, mglru), as the VMM's vmstat would have them. */
  readonly workingSet?: Readonly<WorkingSetStat>;
}

/**
 * Next use of every reference of a string, from one backward pass: OPT's
 * future knowledge. During replay, `nextUse(page)` is the index of the
 * page's first reference after the current one (Infinity if none). A replay
 * advances the table as it goes and rewinds it when it starts, so one table
 * serves many replays of the same string, one at a time.
 */
export class NextUseTable implements FutureKnowledge {
  /** For reference i: index of the next reference to the same page, or NEVER. */
  readonly next: Int32Array;
  /** Per page: its next use after the replay's current position. */
  readonly nextOf: Int32Array;

  /** Per page: its first reference. */
  private readonly firstOf: Int32Array;

  private constructor(next: Int32Array, firstOf: Int32Array) {
    this.next = next;
    this.firstOf = firstOf;
    this.nextOf = firstOf.slice();
  }

  /** Back to the start of the string. */
  rewind(): void {
    this.nextOf.set(this.firstOf);
  }

  /**
   * Builds the table for the concatenation of `chunks` (pages in
   * [0, MAX_REPLAY_PAGE)). It needs the whole string at once: chunks must be
   * distinct arrays, not one buffer a reader refills.
   */
  static build(chunks: readonly Int32Array[]): NextUseTable {
    const next = new Int32Array(chunks.reduce((n, c) => n + c.length, 0));
    const firstOf = new Int32Array(highestPage(chunks) + 1).fill(NEVER);
    linkNextUses(chunks, next, firstOf);
    return new NextUseTable(next, firstOf);
  }

  nextUse(key: number): number {
    const v = key < this.nextOf.length ? this.nextOf[key] : NEVER;
    return v === NEVER ? Infinity : v;
  }
}

/** The trivial host: one referenced byte per frame. */
class ReferencedBits implements ReplacementHost {
  readonly bits: Uint8Array;
  constructor(frames: number) {
    this.bits = new Uint8Array(frames);
  }
  testAndClearReferenced(pfn: number): boolean {
    const was = this.bits[pfn];
    this.bits[pfn] = 0;
    return was !== 0;
  }
  harvestReferenced(sink: ReferencedFrameSink): void {
    const bits = this.bits;
    for (let f = 0; f < bits.length; f++) {
      if (bits[f] === 0) continue;
      bits[f] = 0;
      sink.referencedFrame(f);
    }
  }
}

/**
 * Pages the page table covers before it first grows (doubling, `grow`): a
 * short string costs a few KiB, not the 4 MiB (12 with shadows) a table for
 * every 32-bit page number took, filled, for each replay (1.4 ms of a
 * 50-reference replay's 1.4, 3.5 with shadows; property tests run thousands).
 */
const INITIAL_PAGES = 1 << 12;

/** Hits told to a policy in one call at most. */
const HIT_BATCH = 1024;

/** No entry: a page not resident (frameOf), or with no shadow (never evicted, or read back since). */
const NONE = 0;

/** A replay in progress: `feed` chunks in order, then read `result()`. */
export class PolicyReplay {
  readonly options: PolicyReplayOptions;
  private readonly policy: ReplacementPolicy;
  private readonly host: ReferencedBits;
  private readonly future: NextUseTable | undefined;
  private readonly faultBit: number;
  /** Per page: its resident frame plus one, or 0. */
  private frameOf: Int32Array;
  private readonly pageOf: Int32Array;
  /** The policy's working-set hooks, if any, and each page's shadow entry plus one, or 0 (sized as `frameOf`). */
  private readonly workingSet: WorkingSetHooks | undefined;
  private shadowOf: Float64Array;
  /** The working-set counters the policy keeps, if it keeps them. */
  private readonly stat: WorkingSetStat | undefined;
  /** Hits not yet told to the policy (feedObserved). */
  private readonly hits = new Int32Array(HIT_BATCH);
  private used = 0;
  private position = 0;
  private recycled = false;
  private missCount = 0;

  constructor(options: PolicyReplayOptions) {
    if (!Number.isInteger(options.frames) || options.frames < 1) {
      throw new RangeError(`frames must be a positive integer, got ${options.frames}`);
    }
    if (choiceNeedsFuture(options.policy) && !options.future) {
      throw new Error(`policy ${policyLabel(options.policy)} needs the future: pass NextUseTable.build(chunks)`);
    }
    this.options = options;
    this.host = new ReferencedBits(options.frames);
    this.future = choiceNeedsFuture(options.policy) ? options.future : undefined;
    this.future?.rewind();
    // A policy that counts LRU-list and working-set events (linux, mglru) fills these in.
    const counters: Partial<WorkingSetStat> = {};
    this.policy = policyFactory(options.policy)({
      maxFrames: options.frames,
      capacity: options.frames,
      host: this.host,
      future: this.future,
      counters,
    });
    this.faultBit = options.faultSetsReferenced === false ? 0 : 1;
    const pages = options.pages;
    const tablePages = pages !== undefined && Number.isInteger(pages) && pages > 0 ? Math.min(pages, MAX_REPLAY_PAGE) : INITIAL_PAGES;
    this.frameOf = zeroedInt32Array(this.future ? this.future.nextOf.length : tablePages);
    this.pageOf = new Int32Array(options.frames).fill(-1);
    this.workingSet = this.policy.workingSet;
    this.stat = this.workingSet === undefined ? undefined : (counters as WorkingSetStat);
    this.shadowOf = new Float64Array(this.workingSet === undefined ? 0 : this.frameOf.length);
  }

  get references(): number {
    return this.position;
  }

  get misses(): number {
    return this.missCount;
  }

  /** Replays the next `chunk` of the string. */
  feed(chunk: Int32Array): void {
    if (this.recycled) throw new Error("a recycled replay cannot be fed");
    if (this.future) this.feedWithFuture(chunk);
    else if (this.policy.observesReferences) this.feedObserved(chunk);
    else this.feedUnobserved(chunk);
    this.position += chunk.length;
  }

  result(): PolicyReplayResult {
    const references = this.position;
    return {
      policy: policyLabel(this.options.policy),
      frames: this.options.frames,
      references,
      misses: this.missCount,
      missRatio: references === 0 ? 0 : this.missCount / references,
      ...(this.stat === undefined ? {} : { workingSet: { ...this.stat } }),
    };
  }

  /**
   * Done with the replay (after `result()`): its page table goes back,
   * zeroed, for the next replay of the same size (spare-arrays.ts): the
   * replays of one string at several frame counts then share one instead of
   * each zeroing 4 MiB (the public traces reach page 0xfeffd). It cannot be
   * fed again.
   */
  recycle(): void {
    if (this.recycled) return;
    this.recycled = true;
    const frameOf = this.frameOf;
    // The entries set are exactly the resident pages': an evicted page's went back to NONE.
    for (let f = 0; f < this.used; f++) frameOf[this.pageOf[f]] = NONE;
    giveBackZeroed(frameOf);
  }

  /** CLOCK, FIFO: a hit only sets the referenced bit. */
  private feedUnobserved(chunk: Int32Array): void {
    const bits = this.host.bits;
    let frameOf = this.frameOf;
    for (let i = 0; i < chunk.length; i++) {
      const p = chunk[i];
      if (p >>> 0 >= frameOf.length) frameOf = this.grow(p, i);
      const f = frameOf[p] - 1;
      if (f >= 0) bits[f] = 1;
      else this.miss(p);
    }
  }

  /**
   * LRU, ARC, SIEVE, S3-FIFO: every hit is also told to the policy, in
   * batches (the hits between two misses, HIT_BATCH at most) through
   * `referenceAll` where the policy has it: one call per batch at this
   * site, which sees every policy of the process, instead of one per hit.
   */
  private feedObserved(chunk: Int32Array): void {
    const bits = this.host.bits;
    const hits = this.hits;
    let n = 0;
    let frameOf = this.frameOf;
    for (let i = 0; i < chunk.length; i++) {
      const p = chunk[i];
      if (p >>> 0 >= frameOf.length) frameOf = this.grow(p, i);
      const f = frameOf[p] - 1;
      if (f >= 0) {
        bits[f] = 1;
        hits[n++] = f;
        if (n === HIT_BATCH) n = this.tellHits(n);
      } else {
        if (n > 0) n = this.tellHits(n);
        this.miss(p);
      }
    }
    if (n > 0) this.tellHits(n);
  }

  /** Tells the policy of the first `n` hits in `hits`, in order; returns 0, the batch's new length. */
  private tellHits(n: number): 0 {
    const policy = this.policy;
    if (policy.referenceAll !== undefined) policy.referenceAll(this.hits, n);
    else for (let i = 0; i < n; i++) policy.reference(this.hits[i]);
    return 0;
  }

  /** OPT: before each reference, the page's next use moves past it. */
  private feedWithFuture(chunk: Int32Array): void {
    const future = this.future as NextUseTable;
    const next = future.next;
    const nextOf = future.nextOf;
    const bits = this.host.bits;
    const policy = this.policy;
    const frameOf = this.frameOf;
    let pos = this.position;
    if (pos + chunk.length > next.length) throw new RangeError("the string is longer than its NextUseTable");
    for (let i = 0; i < chunk.length; i++, pos++) {
      const p = chunk[i];
      nextOf[p] = next[pos];
      const f = frameOf[p] - 1;
      if (f >= 0) {
        bits[f] = 1;
        policy.reference(f);
      } else {
        this.miss(p);
      }
    }
  }

  /** A page fault: load `page` into a free frame, or into the victim's. */
  private miss(page: number): void {
    this.missCount++;
    let f: number;
    if (this.used < this.pageOf.length) {
      f = this.used++;
    } else {
      f = this.policy.selectVictim(page);
      if (this.workingSet !== undefined) this.shadowOf[this.pageOf[f]] = this.workingSet.evicted(f) + 1;
      this.policy.remove(f);
      this.frameOf[this.pageOf[f]] = NONE;
    }
    this.pageOf[f] = page;
    this.frameOf[page] = f + 1;
    this.host.bits[f] = this.faultBit;
    if (this.workingSet !== undefined && this.shadowOf[page] !== NONE) {
      this.workingSet.refault(f, this.shadowOf[page] - 1);
      this.shadowOf[page] = NONE;
    }
    this.policy.insert(f, page);
  }

  /** Grows the page table to hold `page` (or throws for a page out of range). */
  private grow(page: number, index: number): Int32Array {
    checkPage(page, this.position + index);
    let size = this.frameOf.length;
    while (size <= page) size *= 2;
    const bigger = new Int32Array(Math.min(size, MAX_REPLAY_PAGE));
    bigger.set(this.frameOf);
    this.frameOf = bigger;
    if (this.workingSet !== undefined) {
      const shadows = new Float64Array(bigger.length);
      shadows.set(this.shadowOf);
      this.shadowOf = shadows;
    }
    return bigger;
  }
}

function checkPage(page: number, index: number): void {
  if (!(page >= 0 && page < MAX_REPLAY_PAGE)) throw new RangeError(`page number ${page} at reference ${index} is outside 0..${MAX_REPLAY_PAGE - 1}`);
}

/** The highest page of the concatenation of `chunks` (0 for none); throws RangeError, naming the reference, for a page outside [0, MAX_REPLAY_PAGE). */
export function highestPage(chunks: readonly Int32Array[]): number {
  let max = 0;
  let min = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const page = c[i];
      if (page > max) max = page;
      else if (page < min) min = page;
    }
  }
  // The bounds first, the offending reference only when they fail: this runs before every replay of a string.
  if (min < 0 || max >= MAX_REPLAY_PAGE) {
    let at = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.length; i++) checkPage(c[i], at + i);
      at += c.length;
    }
  }
  return max;
}

/**
 * Replays a whole reference string (one array or chunks) through `policy`
 * with `frames` frames; builds OPT's future itself.
 */
export function replayReferenceString(
  string: Int32Array | readonly Int32Array[],
  options: Omit<PolicyReplayOptions, "future">,
): PolicyReplayResult {
  return replayAtFrameCounts(string, [options.frames], options)[0];
}

/**
 * `replayReferenceString` at each of `frameCounts`, in order: OPT's future
 * is built once for all of them (a curve simulated size by size rebuilt it
 * at every size, ~30 ms per 3-million-reference string), and the page table
 * of each replay is allocated at the string's highest page at once. The
 * public traces' few hundred pages reach 0xfeffd: grown by doubling from
 * INITIAL_PAGES, each replay copied 4 MiB (12 with shadows) through eight
 * fresh tables, whose external memory also drove the collector; the
 * policies' agreement tests (hundreds of such replays) took ~20 % less CPU
 * with the table sized once.
 */
export function replayAtFrameCounts(
  string: Int32Array | readonly Int32Array[],
  frameCounts: readonly number[],
  options: Omit<PolicyReplayOptions, "future" | "frames" | "pages">,
): PolicyReplayResult[] {
  const chunks = string instanceof Int32Array ? [string] : string;
  const future = choiceNeedsFuture(options.policy) ? NextUseTable.build(chunks) : undefined;
  // With a future, the table is sized by it (nextOf), and build checked the pages.
  const pages = future === undefined ? highestPage(chunks) + 1 : undefined;
  return frameCounts.map((frames) => {
    const replay = new PolicyReplay({ ...options, frames, future, pages });
    for (const c of chunks) replay.feed(c);
    const result = replay.result();
    replay.recycle();
    return result;
  });
}
