/**
 * CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC '05): LIRS's hot/cold idea on
 * a clock. One ring holds hot pages, resident cold pages and non-resident
 * cold pages still in their test period (keys only), in recency order;
 * a reference only sets the page's bit. Three hands walk it:
 *
 * - HAND_cold, on a fault, looks at resident cold pages: bit clear → the
 *   victim (it stays on the ring, non-resident, if in its test period);
 *   bit set and in test → it becomes hot (re-used within its test period);
 *   bit set otherwise → a new test period, to the ring's head.
 * - HAND_hot, while hot pages exceed m − m_c, clears hot pages' bits and
 *   demotes the first hot page whose bit was clear to cold; cold pages it
 *   passes end their test period, non-resident ones leave the ring.
 * - HAND_test, while more than m non-resident pages are kept, ends test
 *   periods until it has dropped one non-resident page.
 *
 * A fault on a non-resident page in its test period loads it hot; any other
 * loads it cold in a test period (hot while fewer than m − m_c pages are hot,
 * at start). m_c, the cold target, adapts: +1 when a page is re-used in its
 * test period, −1 when a test period ends unused, within [1, m − 1].
 *
 * libCacheSim's reference version (commit aa0fc40) has no CLOCK-Pro, so this
 * follows the paper; docs/policies.md says which choices the paper leaves
 * open and how they were made. The reference bits are the policy's own
 * (`observesReferences`), so a page loaded by a fault starts unreferenced
 * whatever the host's Accessed bits say, as the paper's test period needs.
 *
 * The ring is a doubly linked list cut open at HAND_hot (its tail): the hot
 * hand stepping on moves the tail to the head, which leaves the circular
 * order unchanged, so the other two hands can be plain element pointers.
 */
import { FrameLists, rotateHeld } from "./frame-lists.js";
import { GhostLists } from "./ghost-lists.js";
import { capacityOf, paramOf, type PolicyParamSpec } from "./params.js";
import type { PolicyOptions, ReplacementPolicy } from "./policy.js";

const RING = 0;
/** Frames whose eviction failed since the last successful one (out of the ring). */
const HELD = 1;
const TESTS = 0;

/** CLOCK-Pro's parameters. */
export const CLOCK_PRO_PARAMS: readonly PolicyParamSpec[] = [
  { key: "cold", default: 0.01, min: 0, max: 1, about: "initial share of the frames for resident cold pages (m_c/m, adapted as it runs, at least 1 frame)" },
];

export class ClockProPolicy implements ReplacementPolicy {
  readonly name = "clock-pro";
  readonly observesReferences = true;
  private readonly m: number;
  private readonly maxFrames: number;
  /** Frames 0..maxFrames-1 and non-resident pages maxFrames + their entry in `tests`. */
  private readonly ring: FrameLists;
  private readonly tests: GhostLists;
  private readonly hot: Uint8Array;
  private readonly inTest: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly keyOf: Float64Array;
  private coldTarget: number;
  private hotCount = 0;
  private coldCount = 0;
  private coldHand = -1;
  private testHand = -1;
  private offered = -1;

  constructor(options: PolicyOptions) {
    this.m = capacityOf(options);
    this.maxFrames = options.maxFrames;
    this.coldTarget = this.clampTarget(Math.floor(this.m * paramOf(options, CLOCK_PRO_PARAMS[0])));
    this.tests = new GhostLists(this.m + 1, 1);
    this.ring = new FrameLists(options.maxFrames + this.tests.capacity, 2);
    this.hot = new Uint8Array(options.maxFrames);
    this.inTest = new Uint8Array(options.maxFrames);
    this.referenced = new Uint8Array(options.maxFrames);
    this.keyOf = new Float64Array(options.maxFrames);
  }

  get size(): number {
    return this.hotCount + this.coldCount + this.ring.size(HELD);
  }

  /** The current cold target m_c (for tests and reports). */
  get target(): number {
    return this.coldTarget;
  }

  insert(pfn: number, key: number): void {
    if (this.ring.listOf(pfn) >= 0) this.remove(pfn);
    this.keyOf[pfn] = key;
    this.referenced[pfn] = 0;
    const test = this.tests.entryOf(key);
    if (test >= 0) {
      this.unlink(this.maxFrames + test);
      this.tests.removeEntry(test);
      this.coldTarget = this.clampTarget(this.coldTarget + 1);
      this.ring.pushHead(RING, pfn);
      this.makeHot(pfn);
    } else if (this.hotCount < this.m - this.coldTarget) {
      this.ring.pushHead(RING, pfn);
      this.hot[pfn] = 1;
      this.hotCount++;
    } else {
      this.ring.pushHead(RING, pfn);
      this.hot[pfn] = 0;
      this.inTest[pfn] = 1;
      this.coldCount++;
    }
  }

  /**
   * Removing the offered victim is an eviction: in its test period it stays
   * on the ring as a non-resident page. Held frames rejoin as referenced cold
   * pages. Any other removal (unmap, exit) forgets the page.
   */
  remove(pfn: number): void {
    const list = this.ring.listOf(pfn);
    if (list < 0) return;
    const evicted = pfn === this.offered;
    if (evicted) this.offered = -1;
    if (list === HELD) {
      this.ring.remove(pfn);
    } else {
      if (this.hot[pfn] !== 0) this.hotCount--;
      else this.coldCount--;
      if (evicted && this.hot[pfn] === 0 && this.inTest[pfn] !== 0) this.keepAsTest(pfn);
      else this.unlink(pfn);
    }
    if (evicted) this.releaseHeld();
  }

  reference(pfn: number): void {
    this.referenced[pfn] = 1;
  }

  /** `reference` on each of `frames[0..count)`, in this class's own loop (policy.ts). */
  referenceAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.reference(frames[i]);
  }

  selectVictim(_incomingKey?: number): number {
    if (this.hotCount + this.coldCount === 0) return (this.offered = rotateHeld(this.ring));
    for (;;) {
      if (this.coldCount === 0) this.runHotHand();
      const f = this.nextCold(this.coldHand);
      if (this.referenced[f] === 0) {
        this.coldHand = f;
        return (this.offered = f);
      }
      this.coldHand = this.after(f);
      this.referenced[f] = 0;
      if (this.inTest[f] !== 0) {
        this.coldTarget = this.clampTarget(this.coldTarget + 1);
        this.ring.moveToHead(RING, f);
        this.coldCount--;
        this.makeHot(f);
      } else {
        this.inTest[f] = 1;
        this.ring.moveToHead(RING, f);
      }
    }
  }

  /** A frame that could not be evicted leaves the ring until an eviction succeeds. */
  keep(pfn: number): void {
    if (pfn === this.offered) this.offered = -1;
    if (this.ring.listOf(pfn) !== RING) return;
    if (this.hot[pfn] !== 0) this.hotCount--;
    else this.coldCount--;
    this.unlink(pfn);
    this.ring.pushHead(HELD, pfn);
  }

  /** `pfn` (resident, on the ring) becomes hot; HAND_hot demotes while hot pages are too many. */
  private makeHot(pfn: number): void {
    this.hot[pfn] = 1;
    this.inTest[pfn] = 0;
    this.hotCount++;
    while (this.hotCount > this.m - this.coldTarget && this.hotCount > 0) this.runHotHand();
  }

  /** HAND_hot steps on until it has demoted one hot page, ending the test periods it passes. */
  private runHotHand(): void {
    for (let e = this.ring.tail(RING); e >= 0; e = this.ring.tail(RING)) {
      if (e >= this.maxFrames) {
        this.endTest(e);
        continue;
      }
      this.ring.moveToHead(RING, e);
      if (this.hot[e] === 0) {
        if (this.inTest[e] !== 0) this.endTest(e);
      } else if (this.referenced[e] !== 0) {
        this.referenced[e] = 0;
      } else {
        this.hot[e] = 0;
        this.hotCount--;
        this.coldCount++;
        return;
      }
    }
  }

  /** Evicted `pfn` stays on the ring as a non-resident page; HAND_test runs if more than m are kept. */
  private keepAsTest(pfn: number): void {
    if (this.coldHand === pfn) this.coldHand = this.after(pfn);
    const test = this.tests.pushHead(TESTS, this.keyOf[pfn]);
    const e = this.maxFrames + test;
    this.ring.replace(pfn, e);
    if (this.testHand === pfn) this.testHand = e;
    if (this.tests.used > this.m) this.runTestHand();
  }

  /** HAND_test ends test periods until it has dropped one non-resident page. */
  private runTestHand(): void {
    let e = this.testHand >= 0 ? this.testHand : this.ring.tail(RING);
    for (;;) {
      const next = this.after(e);
      if (e >= this.maxFrames) {
        this.endTest(e);
        this.testHand = next === e ? -1 : next;
        return;
      }
      if (this.hot[e] === 0 && this.inTest[e] !== 0) this.endTest(e);
      e = next;
    }
  }

  /** A test period ended without a re-use: m_c shrinks; a non-resident page leaves the ring. */
  private endTest(e: number): void {
    this.coldTarget = this.clampTarget(this.coldTarget - 1);
    if (e < this.maxFrames) {
      this.inTest[e] = 0;
      return;
    }
    this.unlink(e);
    this.tests.removeEntry(e - this.maxFrames);
  }

  /** The first resident cold frame at or after `e` (the ring's tail when -1). */
  private nextCold(e: number): number {
    let f = e >= 0 ? e : this.ring.tail(RING);
    while (f >= this.maxFrames || this.hot[f] !== 0) f = this.after(f);
    return f;
  }

  /** The element after `e` in hand order (toward the head, wrapping to the tail). */
  private after(e: number): number {
    const n = this.ring.newer(e);
    return n >= 0 ? n : this.ring.tail(RING);
  }

  /** Takes `e` off the ring, moving the hands that point at it on. */
  private unlink(e: number): void {
    const next = this.after(e);
    if (this.coldHand === e) this.coldHand = next === e ? -1 : next;
    if (this.testHand === e) this.testHand = next === e ? -1 : next;
    this.ring.remove(e);
  }

  /** Held frames rejoin the ring's head as referenced cold pages. */
  private releaseHeld(): void {
    for (let f = this.ring.tail(HELD); f >= 0; f = this.ring.tail(HELD)) {
      this.ring.remove(f);
      this.ring.pushHead(RING, f);
      this.hot[f] = 0;
      this.inTest[f] = 1;
      this.referenced[f] = 1;
      this.coldCount++;
    }
  }

  private clampTarget(target: number): number {
    return Math.min(Math.max(target, 1), Math.max(1, this.m - 1));
  }
}
