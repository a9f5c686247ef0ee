/**
 * The swap area (seed part 9): slots of 4 KiB on the MBR partition of type
 * 0x82 (Linux swap) or 0xE5 (EYN-OS swap); slot N is the 8 sectors at
 * partition LBA + 8N. Real page bytes go to the device and come back.
 *
 * Unlike the seed, each slot has a reference count: the number of PTEs that
 * name it (fork copies a SWAPPED entry, eviction of a shared frame writes one
 * slot for all its PTEs). A slot is free only when its count drops to zero
 * (seed defect 3). The counts are a byte per slot, as Linux's swap_map:
 * every swap-in reads its slot's count at a random place, and over 250,000
 * slots a byte each keeps them in the host's cache where four bytes did
 * not (a --cpu-prof of the RAM 1G replay: 58 ticks on that read, 360
 * before). A count above what a byte holds, which takes that many address
 * spaces sharing one page, lives in a map beside it, as Linux continues a
 * count on another page (COUNT_CONTINUED).
 *
 * I/O errors come back as `false`, never as exceptions, so eviction can
 * try another victim and swap-in can fail only the one process.
 *
 * Slots are handed out lowest first, from an index of the free ones
 * (free-index.ts, Linux's clusters with their free lists): taking,
 * freeing and finding a slot cost the same with 1,000 slots in use or
 * 250,000, where the seed scanned the slot array.
 *
 * A slot whose write failed is retired for good (the mark Linux's swap map
 * gives bad pages): it is neither free nor in use, never allocated again,
 * and counted in `badSlots`. Without this, one bad slot would take every
 * later victim (it would stay the lowest free slot) and swap would be
 * unusable.
 *
 * The area owns its swap cache (swap-cache.ts): a slot freed for any reason
 * leaves the cache with it.
 */

import type { BlockDevice } from "../machine/block-device.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";
import { SECTORS_PER_SWAP_SLOT, findSwapArea, readPartitionTable } from "../machine/mbr.js";
import { FreeIndex } from "./free-index.js";
import { SwapCache } from "./swap-cache.js";

/** Slot numbers live in PTE bits 31..12. */
export const MAX_SLOTS = 1 << 20;

/** Count bytes: a free slot; 1..MAX_BYTE_COUNT the count itself; then these two markers. */
const FREE = 0;
const MAX_BYTE_COUNT = 0xfd;
/** Taken by allocSlot, no PTE names it yet (references says -1). */
const TAKEN = 0xfe;
/** The count is in `largeCounts`. */
const LARGE = 0xff;

export class SwapArea {
  readonly device: BlockDevice;
  readonly firstLba: number;
  readonly totalSlots: number;
  /** Each slot's count byte (see FREE..LARGE); read a slot's count with `references`. */
  readonly countBytes: Uint8Array;
  /** The counts above MAX_BYTE_COUNT, by slot. */
  private readonly largeCounts = new Map<number, number>();
  /** 1 for a retired slot (a write to it failed): never allocated again. */
  readonly bad: Uint8Array;
  /** Slots whose page is also in a frame (swap-in while other PTEs still name the slot). */
  readonly cache: SwapCache;
  /** Slots with a count of 0 and not retired. */
  private readonly free: FreeIndex;
  private used = 0;
  private retired = 0;
  /** I/O failures seen, for reports. */
  readonly errors = { writes: 0, reads: 0 };

  /** `frames`: physical frames the swap cache may name. */
  constructor(device: BlockDevice, firstLba: number, slots: number, frames: number) {
    this.device = device;
    this.firstLba = firstLba;
    this.totalSlots = slots;
    this.countBytes = new Uint8Array(slots);
    this.bad = new Uint8Array(slots);
    this.free = new FreeIndex(slots, true);
    this.cache = new SwapCache(slots, frames);
  }

  /**
   * The swap area of `device`'s MBR (first partition of type 0x82 or 0xE5),
   * or null when it has none; throws DiskFormatError for a malformed table.
   * `frames`: physical frames tracked (sizes the swap cache).
   */
  static open(device: BlockDevice, frames: number): SwapArea | null {
    const found = findSwapArea(readPartitionTable(device));
    if (found === null || found.slotCount === 0) return null;
    return new SwapArea(device, found.firstLba, Math.min(found.slotCount, MAX_SLOTS), frames);
  }

  get usedSlots(): number {
    return this.used;
  }
  /** Slots neither in use nor retired. */
  get freeSlots(): number {
    return this.totalSlots - this.used - this.retired;
  }
  /** Slots retired after a failed write (never free again). */
  get badSlots(): number {
    return this.retired;
  }

  /** PTEs naming `slot`: 0 when free, -1 when taken by allocSlot and not yet named. */
  references(slot: number): number {
    const b = this.countBytes[slot];
    if (b < TAKEN) return b;
    return b === TAKEN ? -1 : (this.largeCounts.get(slot) as number);
  }

  /** Takes the lowest free slot, with no PTE yet (the caller sets its count); -1 when none is free. */
  allocSlot(): number {
    const s = this.free.lowest();
    if (s < 0) return -1;
    this.free.take(s);
    this.countBytes[s] = TAKEN;
    this.used++;
    return s;
  }

  /** Sets the number of PTEs naming a freshly taken slot. */
  setReferences(slot: number, count: number): void {
    this.setCount(slot, count);
  }

  /** One more PTE names `slot` (fork copied a SWAPPED entry). */
  addReference(slot: number): void {
    this.setCount(slot, this.references(slot) + 1);
  }

  /** `count` more PTEs name the in-use `slot` (a clean swap-cache page evicted back onto it). */
  addReferences(slot: number, count: number): void {
    this.setCount(slot, this.references(slot) + count);
  }

  /** One PTE naming `slot` is gone; the slot is freed (and leaves the swap cache) with the last. */
  dropReference(slot: number): void {
    if (slot < 0 || slot >= this.totalSlots) return;
    const b = this.countBytes[slot];
    if (b === FREE) return;
    if (b === TAKEN || b === 1) this.release(slot);
    else if (b === LARGE) this.setCount(slot, (this.largeCounts.get(slot) as number) - 1);
    else this.countBytes[slot] = b - 1;
  }

  /** Frees a slot whatever its count; it leaves the swap cache. */
  release(slot: number): void {
    if (this.countBytes[slot] === FREE) return;
    this.cache.unlinkSlot(slot);
    this.setCount(slot, 0);
    this.used--;
    this.free.give(slot);
  }

  /** Writes a count of `count` (>= 0) for `slot`, in its byte or, above MAX_BYTE_COUNT, in largeCounts. */
  private setCount(slot: number, count: number): void {
    if (this.countBytes[slot] === LARGE) this.largeCounts.delete(slot);
    if (count <= MAX_BYTE_COUNT) {
      this.countBytes[slot] = count;
    } else {
      this.countBytes[slot] = LARGE;
      this.largeCounts.set(slot, count);
    }
  }

  /**
   * Retires the freshly taken `slot` (no PTE names it yet) after a failed
   * write: out of use, out of the free count, never allocated again. Its
   * sectors may hold a torn page; nobody will read them.
   */
  retire(slot: number): void {
    if (this.bad[slot] !== 0) return;
    if (this.countBytes[slot] !== FREE) {
      this.cache.unlinkSlot(slot);
      this.setCount(slot, 0);
      this.used--;
    } else {
      this.free.take(slot);
    }
    this.bad[slot] = 1;
    this.retired++;
  }

  /**
   * Writes frame `pfn` to `slot` (straight from the frame, no copy; a page
   * of zeros as the device's WRITE ZEROES, which costs nothing on a slot
   * already zero); false on a device error.
   */
  writePage(slot: number, memory: PhysicalMemory, pfn: number): boolean {
    const lba = this.firstLba + slot * SECTORS_PER_SWAP_SLOT;
    try {
      if (memory.frameIsZero(pfn)) this.device.writeZeroes(lba, SECTORS_PER_SWAP_SLOT);
      else memory.storeFrame(pfn, this.device, lba);
      return true;
    } catch {
      this.errors.writes++;
      return false;
    }
  }

  /**
   * Reads `slot` into frame `pfn` (straight into the frame, no copy; a slot
   * the device knows to hold zeros just zeroes the frame); false on a
   * device error (the frame is then unspecified).
   */
  readPage(slot: number, memory: PhysicalMemory, pfn: number): boolean {
    const lba = this.firstLba + slot * SECTORS_PER_SWAP_SLOT;
    try {
      if (this.device.readsZeros(lba, SECTORS_PER_SWAP_SLOT)) memory.zeroFrame(pfn);
      else memory.loadFrame(pfn, this.device, lba);
      return true;
    } catch {
      this.errors.reads++;
      return false;
    }
  }
}
