/**
 * Physical memory: RAM from address 0 plus device (MMIO) ranges, over the
 * whole 4 GiB physical address space of an i386.
 *
 * Why sparse: a 3 GiB machine must cost the host only what the simulation
 * touches. Each 4 KiB frame is either untouched (reads as zero), backed by a
 * slot of the backing store, or not decoded at all (open bus: reads
 * all-ones, writes are dropped, as on a PC with nothing at that address). A
 * frame is backed on its first write; `zeroFrame` hands the slot back for
 * the next frame written, so memory the kernel has freed and scrubbed costs
 * nothing either.
 *
 * One store. Every slot lives in one ArrayBuffer, which doubles when its
 * slots run out (the used part copied), rather than in slabs of their own:
 * a word is then two loads from a frame number (its slot, the word), which
 * is what the MMU's page walk pays on every TLB miss, where a list of slabs
 * cost a chain of four. Slots are handed out from 0 up and reused first, so
 * the store stays as large as the most frames ever backed at once, rounded
 * up to a power of two; the host commits only the part written.
 *
 * Words are little-endian, as on x86; 32-bit reads return signed int32 so
 * callers stay on small integers (use `>>> 0` to print).
 */

import { SECTOR_SIZE, type BlockDevice } from "./block-device.js";
import { InputError } from "./input-error.js";
import { PAGE_SIZE, PAGE_SHIFT, hex32 } from "./i386.js";

// Copied into a module-local binding: the page walk reads words through
// read32 on every TLB miss, and each use of an imported binding costs V8 a
// load and a check of its cell.
const K_PAGE_SHIFT = PAGE_SHIFT;

/** Slots of the first backing store (1 MiB); it doubles from there. */
const FIRST_SLOTS = 256;
const WORDS_PER_FRAME = PAGE_SIZE >> 2;
const SECTORS_PER_FRAME = PAGE_SIZE / SECTOR_SIZE;
/** What an untouched frame and an open-bus frame give a transfer to a device. */
const ZERO_FRAME = new Uint8Array(PAGE_SIZE);
const OPEN_BUS_FRAME = new Uint8Array(PAGE_SIZE).fill(0xff);

/** `slotOf` markers for frames without a backing slot. */
const UNTOUCHED = -1;
const OPEN_BUS = -2;
/**
 * `slotOf` stores slot + SLOT_BIAS, so that its zero fill means OPEN_BUS:
 * a device's range grows the table without writing the gap below it.
 */
const SLOT_BIAS = -OPEN_BUS;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("vmm386 needs a little-endian host");
}

export const MIN_RAM_BYTES = 1024 * 1024;
export const MAX_RAM_BYTES = 3 * 1024 * 1024 * 1024;

/** A non-RAM physical range that decodes like memory (a framebuffer, say). */
export interface DeviceRange {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

/**
 * Told of writes to memory (strict-TLB bookkeeping). Bulk writes (whole
 * frames) ask `watchesFrame` first and report the words they change only
 * in frames it wants, so a frame the observer does not watch costs one call.
 */
export interface WriteObserver {
  /** The aligned word at `pa` is about to go from `oldValue` to `newValue` (int32s; may be equal for a 32-bit store). */
  wordWritten(pa: number, oldValue: number, newValue: number): void;
  /** True if a bulk write to frame `pfn` must report its changed words. */
  watchesFrame(pfn: number): boolean;
}

export class MemoryConfigError extends InputError {
  override name = "MemoryConfigError";
}

/** Throws `MemoryConfigError` unless `bytes` is a RAM size the model supports. */
export function checkRamSize(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes % PAGE_SIZE !== 0) {
    throw new MemoryConfigError(`RAM size ${bytes} is not a multiple of 4 KiB`);
  }
  if (bytes < MIN_RAM_BYTES || bytes > MAX_RAM_BYTES) {
    throw new MemoryConfigError(`RAM size ${bytes} bytes is outside 1 MiB..3 GiB`);
  }
}

export class PhysicalMemory {
  readonly ramBytes: number;
  readonly ramFrames: number;
  readonly devices: DeviceRange[] = [];

  /**
   * Per physical frame up to the last that decodes (RAM, then devices):
   * backing slot, UNTOUCHED or OPEN_BUS; every frame past it is open bus.
   * Sized to the machine, not to the 4 GiB space: 4 MiB per machine
   * outside the JS heap cost small machines (a trace replay's) a full
   * garbage collection about every other one.
   */
  private slotOf: Int32Array;
  /** The backing store: slot s is words [s << 10, (s + 1) << 10), bytes from s * 4096. */
  private words = new Int32Array(0);
  private bytes = new Uint8Array(0);
  /** Slots handed out at least once: [0, slotsMade) of the store; the rest are zero. */
  private slotsMade = 0;
  private readonly freeSlots: number[] = [];
  private slotsInUse = 0;

  /** Told of writes when set (strict-TLB bookkeeping); null otherwise, and then no write pays for it. */
  writeObserver: WriteObserver | null = null;

  constructor(ramBytes: number) {
    checkRamSize(ramBytes);
    this.ramBytes = ramBytes;
    this.ramFrames = ramBytes / PAGE_SIZE;
    this.slotOf = new Int32Array(this.ramFrames).fill(UNTOUCHED + SLOT_BIAS);
  }

  /** Adds a device range that reads and writes like memory but is not RAM. */
  addDevice(name: string, base: number, size: number): DeviceRange {
    if (base % PAGE_SIZE !== 0 || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new MemoryConfigError(`device ${name}: base ${hex32(base)} and size ${size} must be 4 KiB aligned`);
    }
    const end = base + size;
    if (end > 2 ** 32) throw new MemoryConfigError(`device ${name}: ${hex32(base)}+${size} passes 4 GiB`);
    if (base < this.ramBytes) throw new MemoryConfigError(`device ${name} at ${hex32(base)} overlaps RAM`);
    for (const d of this.devices) {
      if (base < d.base + d.size && d.base < end) {
        throw new MemoryConfigError(`device ${name} overlaps device ${d.name}`);
      }
    }
    const range = { name, base, size };
    this.devices.push(range);
    if (end / PAGE_SIZE > this.slotOf.length) {
      const grown = new Int32Array(end / PAGE_SIZE);
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    this.slotOf.fill(UNTOUCHED + SLOT_BIAS, base / PAGE_SIZE, end / PAGE_SIZE);
    return range;
  }

  /** True for a frame of RAM (not a device, not open bus). */
  isRam(pfn: number): boolean {
    return pfn >= 0 && pfn < this.ramFrames;
  }

  /** Frames that have a backing slot now. */
  get backedFrames(): number {
    return this.slotsInUse;
  }

  /** Host bytes held by frame contents (the backing store), the part that grows with use. */
  get hostBytes(): number {
    return this.bytes.length;
  }

  /** Frame `pfn`'s backing slot, UNTOUCHED or OPEN_BUS. */
  private slotAt(pfn: number): number {
    return pfn < this.slotOf.length ? this.slotOf[pfn] - SLOT_BIAS : OPEN_BUS;
  }

  read32(pa: number): number {
    if ((pa & 3) !== 0) return this.readUnaligned(pa, 4) | 0;
    const slot = this.slotAt(pa >>> K_PAGE_SHIFT);
    if (slot < 0) return slot === UNTOUCHED ? 0 : -1;
    return this.words[(slot << 10) | ((pa & 0xfff) >>> 2)];
  }

  write32(pa: number, value: number): void {
    if ((pa & 3) !== 0) {
      this.writeUnaligned(pa, 4, value);
      return;
    }
    const slot = this.backedSlot(pa >>> K_PAGE_SHIFT);
    if (slot < 0) return;
    const words = this.words;
    const i = (slot << 10) | ((pa & 0xfff) >>> 2);
    if (this.writeObserver !== null) this.writeObserver.wordWritten(pa >>> 0, words[i], value | 0);
    words[i] = value;
  }

  read8(pa: number): number {
    const slot = this.slotAt(pa >>> K_PAGE_SHIFT);
    if (slot < 0) return slot === UNTOUCHED ? 0 : 0xff;
    return this.bytes[slot * PAGE_SIZE + (pa & 0xfff)];
  }

  write8(pa: number, value: number): void {
    const pfn = pa >>> K_PAGE_SHIFT;
    if (this.writeObserver !== null && this.slotAt(pfn) !== OPEN_BUS) {
      const wordPa = (pa & ~3) >>> 0;
      const old = this.read32(wordPa);
      const shift = (pa & 3) * 8;
      this.writeObserver.wordWritten(wordPa, old, (old & ~(0xff << shift)) | ((value & 0xff) << shift));
    }
    const slot = this.backedSlot(pfn);
    if (slot < 0) return;
    this.bytes[slot * PAGE_SIZE + (pa & 0xfff)] = value;
  }

  read16(pa: number): number {
    return this.readUnaligned(pa, 2);
  }

  write16(pa: number, value: number): void {
    this.writeUnaligned(pa, 2, value);
  }

  /** Little-endian read of `size` (1..4) bytes, byte by byte; wraps at 4 GiB. */
  readUnaligned(pa: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.read8((pa + i) >>> 0);
    return v;
  }

  writeUnaligned(pa: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      this.write8((pa + i) >>> 0, value & 0xff);
      value >>>= 8;
    }
  }

  /** Fills frame `pfn` with zeros; a RAM frame gives its backing back to the host. */
  zeroFrame(pfn: number): void {
    const slot = this.slotAt(pfn);
    if (slot < 0) return;
    if (this.writeObserver !== null) this.observeFrame(pfn, () => 0);
    this.slotOf[pfn] = UNTOUCHED + SLOT_BIAS;
    this.freeSlots.push(slot);
    this.slotsInUse--;
  }

  /** Copies the 4 KiB of frame `src` over frame `dst`. */
  copyFrame(dst: number, src: number): void {
    const s = this.slotAt(src);
    if (s === UNTOUCHED) {
      this.zeroFrame(dst);
      return;
    }
    const d = this.backedSlot(dst, this.writeObserver !== null); // the observer compares with the old words: zero
    if (d < 0) return;
    const words = this.words;
    const dOff = d << 10;
    if (s === OPEN_BUS) {
      if (this.writeObserver !== null) this.observeFrame(dst, () => -1);
      words.fill(-1, dOff, dOff + WORDS_PER_FRAME);
      return;
    }
    const sOff = s << 10;
    if (this.writeObserver !== null) this.observeFrame(dst, (i) => words[sOff + i]);
    words.copyWithin(dOff, sOff, sOff + WORDS_PER_FRAME);
  }

  /** Copies frame `pfn` into `out` (4096 bytes at `offset`). */
  readFrame(pfn: number, out: Uint8Array, offset = 0): void {
    const slot = this.slotAt(pfn);
    if (slot < 0) {
      out.fill(slot === UNTOUCHED ? 0 : 0xff, offset, offset + PAGE_SIZE);
      return;
    }
    const bOff = slot * PAGE_SIZE;
    out.set(this.bytes.subarray(bOff, bOff + PAGE_SIZE), offset);
  }

  /** Writes 4096 bytes from `data` (at `offset`) into frame `pfn`. */
  writeFrame(pfn: number, data: Uint8Array, offset = 0): void {
    const slot = this.backedSlot(pfn, this.writeObserver !== null);
    if (slot < 0) return;
    if (this.writeObserver !== null) {
      this.observeFrame(pfn, (i) => {
        const at = offset + i * 4;
        return data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
      });
    }
    this.bytes.set(data.subarray(offset, offset + PAGE_SIZE), slot * PAGE_SIZE);
  }

  /**
   * DMA from a disk: the 4 KiB at sector `lba` of `device` go straight into
   * frame `pfn`'s backing, with no copy on the way (swap-in, once per major
   * fault). Throws what the device throws; the frame's contents are then
   * unspecified. A write to open bus is dropped. A page of zeros (a
   * data-less trace's pages are all zeros) gives its backing back at once,
   * as `zeroFrame` would: swapping a 1 GiB machine's pages in then costs
   * the host nothing for them, not 1 GiB.
   */
  loadFrame(pfn: number, device: BlockDevice, lba: number): void {
    if (this.writeObserver !== null && this.writeObserver.watchesFrame(pfn)) {
      const bytes = new Uint8Array(PAGE_SIZE);
      device.read(lba, SECTORS_PER_FRAME, bytes);
      this.writeFrame(pfn, bytes);
      return;
    }
    const slot = this.backedSlot(pfn, false);
    if (slot < 0) {
      device.read(lba, SECTORS_PER_FRAME, new Uint8Array(PAGE_SIZE));
      return;
    }
    device.read(lba, SECTORS_PER_FRAME, this.bytes, slot * PAGE_SIZE);
    if (this.slotIsZero(slot)) this.zeroFrame(pfn);
  }

  /** DMA to a disk: frame `pfn`'s 4 KiB written at sector `lba` of `device` straight from its backing (swap-out). Throws what the device throws. */
  storeFrame(pfn: number, device: BlockDevice, lba: number): void {
    const slot = this.slotAt(pfn);
    if (slot < 0) device.write(lba, SECTORS_PER_FRAME, slot === UNTOUCHED ? ZERO_FRAME : OPEN_BUS_FRAME);
    else device.write(lba, SECTORS_PER_FRAME, this.bytes, slot * PAGE_SIZE);
  }

  /** Copies `length` bytes starting at physical `pa` into `out`. */
  readBytes(pa: number, out: Uint8Array, offset = 0, length = out.length - offset): void {
    for (let i = 0; i < length; i++) out[offset + i] = this.read8((pa + i) >>> 0);
  }

  /** Writes `length` bytes of `data` to physical memory starting at `pa`. */
  writeBytes(pa: number, data: Uint8Array, offset = 0, length = data.length - offset): void {
    for (let i = 0; i < length; i++) this.write8((pa + i) >>> 0, data[offset + i]);
  }

  /** True when frame `pfn` holds only zero bytes. */
  frameIsZero(pfn: number): boolean {
    const slot = this.slotAt(pfn);
    if (slot === UNTOUCHED) return true;
    if (slot === OPEN_BUS) return false;
    return this.slotIsZero(slot);
  }

  /** True when backing slot `slot` holds only zero bytes (four words tested at a time: a swap-in pays this). */
  private slotIsZero(slot: number): boolean {
    const words = this.words;
    const off = slot << 10;
    for (let i = off; i < off + WORDS_PER_FRAME; i += 4) {
      if ((words[i] | words[i + 1] | words[i + 2] | words[i + 3]) !== 0) return false;
    }
    return true;
  }

  /**
   * A bulk write is about to give frame `pfn` the words `next(0..1023)`:
   * reports each word it changes, if the observer watches the frame.
   */
  private observeFrame(pfn: number, next: (i: number) => number): void {
    const observer = this.writeObserver;
    if (observer === null || !observer.watchesFrame(pfn)) return;
    const base = pfn * PAGE_SIZE;
    for (let i = 0; i < WORDS_PER_FRAME; i++) {
      const old = this.read32(base + i * 4);
      const value = next(i) | 0;
      if (old !== value) observer.wordWritten(base + i * 4, old, value);
    }
  }

  /**
   * The slot backing `pfn`, creating one on first use; -1 for open bus. A
   * new slot reads as zero, unless the caller overwrites all of it at once
   * and nobody looks before (`zeroed` false: a reused slot keeps another
   * frame's old bytes until then).
   */
  private backedSlot(pfn: number, zeroed = true): number {
    const slot = this.slotAt(pfn);
    if (slot >= 0) return slot;
    if (slot === OPEN_BUS) return -1;
    let fresh = this.freeSlots.pop();
    if (fresh === undefined) {
      if (this.slotsMade === this.words.length >>> 10) this.growStore();
      fresh = this.slotsMade++;
    } else if (zeroed) {
      this.words.fill(0, fresh << 10, (fresh + 1) << 10);
    }
    this.slotOf[pfn] = fresh + SLOT_BIAS;
    this.slotsInUse++;
    return fresh;
  }

  /**
   * Doubles the backing store (from FIRST_SLOTS, at most a slot per frame
   * that decodes), copying the slots made so far; the new part reads as zero.
   */
  private growStore(): void {
    const slots = Math.min(Math.max(FIRST_SLOTS, 2 * this.slotsMade), this.slotOf.length);
    const bytes = new Uint8Array(slots * PAGE_SIZE);
    bytes.set(this.bytes.subarray(0, this.slotsMade * PAGE_SIZE));
    this.bytes = bytes;
    this.words = new Int32Array(bytes.buffer);
  }
}
