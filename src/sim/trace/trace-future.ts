/**
 * OPT's future knowledge for a VMM replay: the next use of every page
 * reference of the trace, computed in the first pass, and advanced by the
 * replay loop reference by reference. Pages are EYN-OS virtual pages (the
 * kernel's policy key is space id * 2^20 + virtual page number).
 *
 * The reference string is kept in blocks. Up to a memory budget they stay
 * in memory; past it, with a spill file given, they go to the file, so a
 * 100 M-reference trace costs the host the budget, not 400 MB. `seal`
 * turns the string into next-use indices block by block from the end (the
 * backward pass needs only each page's next reference so far), rewriting
 * each spilled block where it was; the replay then reads the blocks in
 * order. The last, partly filled block always stays in memory. The file
 * is created exclusively and unlinked at once, as the replay's spill of the
 * trace is (chunk-spill.ts): nothing is left behind however the process
 * ends; `dispose` closes it.
 */

import * as fs from "node:fs";
import { hostErrorText, isHostError } from "../../machine/host-file.js";
import { OutputFileError } from "../output-file.js";
import type { FutureKnowledge } from "../../kernel/replacement/policy.js";
import { NEVER, linkNextUses } from "../next-use.js";

const PAGES = 1 << 20;
const BYTES_PER_REFERENCE = 4;

export interface TraceFutureOptions {
  /** Where the string goes once it outgrows `memoryReferences`; none: it all stays in memory. */
  readonly spillPath?: string;
  /** References kept in memory before the string is spilled (default 8 M: 32 MiB). */
  readonly memoryReferences?: number;
  /** References per block (default 2^20: 4 MiB). */
  readonly blockReferences?: number;
}

export class TraceFuture implements FutureKnowledge {
  private readonly spillPath: string | null;
  private readonly memoryReferences: number;
  private readonly blockSize: number;
  /** Full blocks in memory (none once the string is spilled: the file then holds every full block). */
  private readonly held: Int32Array[] = [];
  /** The block being filled (first pass), then the last block. */
  private tail: Int32Array;
  private tailLength = 0;
  /** The spill file once opened, and the full blocks it holds. */
  private fd = -1;
  private spilledBlocks = 0;
  /** Per EYN-OS page: index of its next reference after the current one. */
  private readonly nextOf = new Float64Array(PAGES).fill(Infinity);
  /** Index of the next reference the replay will make. */
  position = 0;
  /** The block the replay is in: next-use indices of references [blockStart, blockEnd). */
  private current: Int32Array = new Int32Array(0);
  private blockStart = 0;
  private blockEnd = 0;
  private readonly readBuffer: Int32Array;

  constructor(options: TraceFutureOptions = {}) {
    this.spillPath = options.spillPath ?? null;
    this.blockSize = options.blockReferences ?? 1 << 20;
    this.memoryReferences = options.memoryReferences ?? 8 << 20;
    this.tail = new Int32Array(this.blockSize);
    this.readBuffer = new Int32Array(this.spillPath === null ? 0 : this.blockSize);
  }

  /** References recorded. */
  get length(): number {
    return (this.spilledBlocks + this.held.length) * this.blockSize + this.tailLength;
  }

  /** True once the string went to the spill file. */
  get spilled(): boolean {
    return this.fd >= 0;
  }

  /** Appends one page reference (first pass). */
  record(page: number): void {
    if (this.tailLength === this.blockSize) this.closeBlock();
    this.tail[this.tailLength++] = page;
  }

  /**
   * Turns the recorded pages (numbers below `pageCount`) into next-use
   * indices (one backward pass, in place), and starts the replay at reference 0.
   */
  seal(pageCount = PAGES): void {
    const firstOf = new Int32Array(pageCount).fill(NEVER);
    const fullBlocks = this.spilledBlocks + this.held.length;
    const tail = this.tail.subarray(0, this.tailLength);
    linkNextUses([tail], tail, firstOf, fullBlocks * this.blockSize);
    for (let k = this.held.length - 1; k >= 0; k--) linkNextUses([this.held[k]], this.held[k], firstOf, k * this.blockSize);
    for (let k = this.spilledBlocks - 1; k >= 0; k--) {
      const block = this.readBuffer;
      readBlock(this.fd, block, k);
      linkNextUses([block], block, firstOf, k * this.blockSize);
      writeBlock(this.fd, block, k);
    }
    this.position = 0;
    this.blockStart = 0;
    this.blockEnd = 0;
  }

  /** The replay makes its next reference, to EYN-OS page `page` (call before the access that makes it). */
  advance(page: number): void {
    if (this.position === this.blockEnd) this.enterBlock();
    const n = this.current[this.position++ - this.blockStart];
    this.nextOf[page] = n === NEVER ? Infinity : n;
  }

  nextUse(key: number): number {
    return this.nextOf[key % PAGES];
  }

  /** Closes the spill file, if there is one, and with it its blocks (it was unlinked when made). */
  dispose(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** A full block: kept, or written to the spill file (with those kept) once past the budget. */
  private closeBlock(): void {
    if (this.fd < 0 && this.spillPath !== null && (this.held.length + 1) * this.blockSize > this.memoryReferences) {
      this.openSpill();
      for (const block of this.held.splice(0)) this.spill(block);
    }
    if (this.fd >= 0) {
      this.spill(this.tail);
    } else {
      this.held.push(this.tail);
      this.tail = new Int32Array(this.blockSize);
    }
    this.tailLength = 0;
  }

  /** Creates the spill file (never an existing one) and unlinks it at once: its descriptor is all the future needs. */
  private openSpill(): void {
    const file = this.spillPath as string;
    this.fd = this.hostIo(() => fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600));
    fs.unlinkSync(file);
  }

  /** Appends a full block to the spill file. */
  private spill(block: Int32Array): void {
    this.hostIo(() => writeBlock(this.fd, block, this.spilledBlocks));
    this.spilledBlocks++;
  }

  /** Runs a host call on the spill file; its failure (a full disk) names the file and says what it is for. */
  private hostIo<T>(call: () => T): T {
    try {
      return call();
    } catch (e) {
      if (!isHostError(e)) throw e;
      throw new OutputFileError(this.spillPath as string, `${hostErrorText(e)} (OPT's temporary copy of the reference string; set TMPDIR to a folder with room)`);
    }
  }

  /** Moves the replay into the block holding reference `position`. */
  private enterBlock(): void {
    const k = Math.floor(this.position / this.blockSize);
    const fullBlocks = this.spilledBlocks + this.held.length;
    if (k < this.spilledBlocks) {
      readBlock(this.fd, this.readBuffer, k);
      this.current = this.readBuffer;
    } else {
      this.current = k < fullBlocks ? this.held[k - this.spilledBlocks] : this.tail;
    }
    this.blockStart = k * this.blockSize;
    this.blockEnd = this.blockStart + (k < fullBlocks ? this.blockSize : this.tailLength);
  }
}

/** Writes `block` as block `k` of the spill file. */
function writeBlock(fd: number, block: Int32Array, k: number): void {
  const bytes = block.length * BYTES_PER_REFERENCE;
  for (let done = 0; done < bytes; ) done += fs.writeSync(fd, block, done, bytes - done, k * bytes + done);
}

/** Reads block `k` of the spill file into `block`. */
function readBlock(fd: number, block: Int32Array, k: number): void {
  const bytes = block.length * BYTES_PER_REFERENCE;
  for (let done = 0; done < bytes; ) {
    const n = fs.readSync(fd, block, done, bytes - done, k * bytes + done);
    if (n === 0) throw new Error(`OPT's spilled reference string ended early (block ${k})`);
    done += n;
  }
}
