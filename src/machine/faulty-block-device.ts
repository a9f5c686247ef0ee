/**
 * A block device that fails on command, wrapped around a real one. Swap
 * tests use it to prove the kernel loses nothing when I/O fails: fail the
 * Nth write from now, every read of a slot's sectors, or everything, and
 * count what was attempted and what failed.
 *
 * A failed transfer throws DiskIoError and, by default, leaves the medium
 * (or the caller's buffer) untouched. With `torn: true` a failed write
 * first writes its leading half, as a power cut in mid-transfer might, so a
 * test can show the kernel never trusts a write that reported failure.
 */

import { BlockDeviceWrapper, DiskIoError, sectorRange } from "./block-device.js";

export type FaultOp = "read" | "write";

/** One failure rule; the first rule that matches a transfer fires. */
export interface FaultRule {
  readonly op: FaultOp;
  /** Fire on this attempt number of `op` (counting every attempt since the device was wrapped, from 1). */
  readonly attempt?: number;
  /** Fire on transfers that touch sectors first..first+count-1. */
  readonly sectors?: { readonly first: number; readonly count: number };
  /** How many more times the rule fires (default: once for `attempt`, forever otherwise). */
  remaining: number;
  /** For writes: write the first half of the sectors before failing. */
  readonly torn: boolean;
}

export interface FaultOptions {
  /** How many times the rule fires before it is spent (default: forever). */
  readonly times?: number;
  /** For writes: the leading half of the sectors reaches the medium before the failure. */
  readonly torn?: boolean;
}

export class FaultyBlockDevice extends BlockDeviceWrapper {
  readonly rules: FaultRule[] = [];
  /** Attempts, failed or not. */
  reads = 0;
  writes = 0;
  failedReads = 0;
  failedWrites = 0;

  /** Fails the `n`-th write from now (1: the next write). */
  failNthWrite(n: number, options: Omit<FaultOptions, "times"> = {}): this {
    return this.addRule("write", { attempt: this.writes + n }, { ...options, times: 1 });
  }

  /** Fails the `n`-th read from now (1: the next read). */
  failNthRead(n: number): this {
    return this.addRule("read", { attempt: this.reads + n }, { times: 1 });
  }

  /** Fails writes that touch sectors `first`..`first+count-1`. */
  failWritesTo(first: number, count = 1, options: FaultOptions = {}): this {
    return this.addRule("write", { sectors: { first, count } }, options);
  }

  /** Fails reads that touch sectors `first`..`first+count-1`. */
  failReadsTo(first: number, count = 1, options: FaultOptions = {}): this {
    return this.addRule("read", { sectors: { first, count } }, options);
  }

  /** Fails every write (a dead or full medium) until `heal`. */
  failAllWrites(options: FaultOptions = {}): this {
    return this.failWritesTo(0, this.sectorCount, options);
  }

  /** Fails every read until `heal`. */
  failAllReads(): this {
    return this.failReadsTo(0, this.sectorCount);
  }

  /** Removes every rule: the device works again. */
  heal(): this {
    this.rules.length = 0;
    return this;
  }

  override read(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    this.reads++;
    const rule = this.matchingRule("read", this.reads, lba, count);
    if (rule !== null) {
      this.failedReads++;
      throw new DiskIoError(`${this.name}: read of LBA ${sectorRange(lba, count)} failed (injected fault)`);
    }
    this.inner.read(lba, count, buffer, offset);
  }

  override write(lba: number, count: number, buffer: Uint8Array, offset = 0): void {
    const torn = this.writeAttempt(lba, count);
    if (torn < 0) this.inner.write(lba, count, buffer, offset);
    else this.writeFailed(lba, count, torn, () => this.inner.write(lba, torn, buffer, offset));
  }

  /** A write like any other: counted, and failed by the same rules. */
  override writeZeroes(lba: number, count: number): void {
    const torn = this.writeAttempt(lba, count);
    if (torn < 0) this.inner.writeZeroes(lba, count);
    else this.writeFailed(lba, count, torn, () => this.inner.writeZeroes(lba, torn));
  }

  /** Never: every read reaches the rules, as before the device could tell. */
  override readsZeros(_lba: number, _count: number): boolean {
    return false;
  }

  /** Counts a write and matches it: -1 to let it through, else the sectors a failing one writes first (0 unless torn). */
  private writeAttempt(lba: number, count: number): number {
    this.writes++;
    const rule = this.matchingRule("write", this.writes, lba, count);
    if (rule === null) return -1;
    this.failedWrites++;
    return rule.torn ? Math.ceil(count / 2) : 0;
  }

  /** Fails a write after `writeTorn` has written its leading `torn` sectors. */
  private writeFailed(lba: number, count: number, torn: number, writeTorn: () => void): never {
    if (torn > 0) writeTorn();
    throw new DiskIoError(
      `${this.name}: write of LBA ${sectorRange(lba, count)} failed (injected fault${torn > 0 ? `, ${torn} sectors written` : ""})`,
    );
  }

  private addRule(
    op: FaultOp,
    target: { attempt?: number; sectors?: { first: number; count: number } },
    options: FaultOptions,
  ): this {
    this.rules.push({ op, ...target, remaining: options.times ?? Infinity, torn: options.torn ?? false });
    return this;
  }

  /** The first live rule for this transfer, spending one of its firings; null if none. */
  private matchingRule(op: FaultOp, attempt: number, lba: number, count: number): FaultRule | null {
    for (const rule of this.rules) {
      if (rule.op !== op || rule.remaining <= 0) continue;
      if (rule.attempt !== undefined && rule.attempt !== attempt) continue;
      const s = rule.sectors;
      if (s !== undefined && !(lba < s.first + s.count && s.first < lba + count)) continue;
      rule.remaining--;
      return rule;
    }
    return null;
  }
}
