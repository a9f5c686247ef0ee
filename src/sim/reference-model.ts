/**
 * A plain model of what each process should see in its memory, against
 * which the torture driver checks every byte the real VMM returns.
 *
 * Why so plain: it must be obviously right. A process is a Map from virtual
 * page number to the page's 4096 bytes (absent = never written = zeros), its
 * heap break and its mmap'd pages; fork deep-copies, exit drops. The model
 * knows nothing of frames, swap, COW or TLBs: whatever the kernel does with
 * them, the bytes a process sees must equal these.
 *
 * Which accesses are legal follows the EYN-OS layout (src/kernel/layout.ts):
 * the heap below the break, pages mapped in the code region (a program
 * image) or the shared region (mmap), read-only or read-write, the whole
 * stack region (it grows on demand), nothing else.
 */

import { PAGE_SIZE, PAGE_SHIFT } from "../machine/i386.js";
import {
  USER_CODE_BASE,
  USER_CODE_END,
  USER_HEAP_BASE,
  USER_HEAP_END,
  USER_SHARED_BASE,
  USER_SHARED_END,
  USER_STACK_BASE,
  USER_STACK_TOP,
} from "../kernel/layout.js";

/** One process's memory as it should be. */
export interface ModelProcess {
  readonly pid: number;
  /** Virtual page number -> contents; pages never written are absent and read as zero. */
  readonly pages: Map<number, Uint8Array>;
  /** The heap break (page aligned in the torture driver). */
  heapBreak: number;
  /** Virtual page number of each page mapped by mapImage or mmap -> writable. */
  readonly mapped: Map<number, boolean>;
}

export class ReferenceModel {
  readonly processes = new Map<number, ModelProcess>();

  /** A new process with an empty heap, no mappings and zeroed memory. */
  spawn(pid: number): void {
    this.processes.set(pid, { pid, pages: new Map(), heapBreak: USER_HEAP_BASE, mapped: new Map() });
  }

  /** `child` starts as an exact copy of `parent`. */
  fork(parent: number, child: number): void {
    const p = this.get(parent);
    const pages = new Map<number, Uint8Array>();
    for (const [vpn, bytes] of p.pages) pages.set(vpn, bytes.slice());
    this.processes.set(child, { pid: child, pages, heapBreak: p.heapBreak, mapped: new Map(p.mapped) });
  }

  /** The process is gone (exit or kill). */
  remove(pid: number): void {
    this.processes.delete(pid);
  }

  has(pid: number): boolean {
    return this.processes.has(pid);
  }

  get(pid: number): ModelProcess {
    const p = this.processes.get(pid);
    if (p === undefined) throw new Error(`reference model: no process ${pid}`);
    return p;
  }

  /** True when a user access to page-containing `va` is legal (and, if `write`, writable). */
  pageAllows(pid: number, va: number, write: boolean): boolean {
    const p = this.get(pid);
    va >>>= 0;
    if (va >= USER_STACK_BASE && va < USER_STACK_TOP) return true;
    if (va >= USER_HEAP_BASE && va < USER_HEAP_END) return va < p.heapBreak;
    if ((va >= USER_SHARED_BASE && va < USER_SHARED_END) || (va >= USER_CODE_BASE && va < USER_CODE_END)) {
      const writable = p.mapped.get(va >>> PAGE_SHIFT);
      return writable !== undefined && (writable || !write);
    }
    return false;
  }

  /** True when every page of [va, va+len) allows the access. */
  rangeAllows(pid: number, va: number, len: number, write: boolean): boolean {
    if (len <= 0) return true;
    const end = va + len;
    if (end > 2 ** 32) return false;
    for (let page = va - (va % PAGE_SIZE); page < end; page += PAGE_SIZE) {
      if (!this.pageAllows(pid, page, write)) return false;
    }
    return true;
  }

  /** The bytes [va, va+len) as the process should see them (no permission check). */
  read(pid: number, va: number, len: number): Uint8Array {
    const p = this.get(pid);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const a = va + done;
      const offset = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - offset, len - done);
      const page = p.pages.get(Math.floor(a / PAGE_SIZE));
      if (page !== undefined) out.set(page.subarray(offset, offset + n), done);
      done += n;
    }
    return out;
  }

  /** The byte at `va` as the process should see it (no permission check). */
  byteAt(pid: number, va: number): number {
    const page = this.get(pid).pages.get(Math.floor(va / PAGE_SIZE));
    return page === undefined ? 0 : page[va % PAGE_SIZE];
  }

  /** The first index at which `got` (read at `va`) differs from what the process should see, or -1: read's bytes compared where they lie, without a copy. */
  differsAt(pid: number, va: number, got: Uint8Array): number {
    const p = this.get(pid);
    const end = va + got.length;
    for (let vpn = Math.floor(va / PAGE_SIZE); vpn * PAGE_SIZE < end; vpn++) {
      const page = p.pages.get(vpn);
      const from = Math.max(va, vpn * PAGE_SIZE);
      const to = Math.min(end, (vpn + 1) * PAGE_SIZE);
      // A page never written reads as zeros.
      const offset = from - vpn * PAGE_SIZE;
      for (let a = from; a < to; a++) if (got[a - va] !== (page === undefined ? 0 : page[offset + a - from])) return a - va;
    }
    return -1;
  }

  /** Stores `bytes` at `va` (no permission check). */
  write(pid: number, va: number, bytes: Uint8Array): void {
    const p = this.get(pid);
    for (let done = 0; done < bytes.length; ) {
      const a = va + done;
      const offset = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - offset, bytes.length - done);
      const vpn = Math.floor(a / PAGE_SIZE);
      let page = p.pages.get(vpn);
      if (page === undefined) {
        page = new Uint8Array(PAGE_SIZE);
        p.pages.set(vpn, page);
      }
      page.set(bytes.subarray(done, done + n), offset);
      done += n;
    }
  }

  /**
   * brk to a page-aligned `newBreak`: false outside the heap region; shrinking
   * drops the pages above the new break (a later grow gives zero pages).
   */
  brk(pid: number, newBreak: number): boolean {
    const p = this.get(pid);
    if (newBreak < USER_HEAP_BASE || newBreak >= USER_HEAP_END) return false;
    if (newBreak < p.heapBreak) this.dropPages(p, newBreak, p.heapBreak);
    p.heapBreak = newBreak;
    return true;
  }

  /**
   * mmap of whole pages at a fixed address in the shared region: false when
   * the range leaves the region or overlaps a mapping; the pages read as zero.
   */
  mmap(pid: number, va: number, len: number, writable: boolean): boolean {
    return this.mapFixed(pid, va, len, writable, USER_SHARED_BASE, USER_SHARED_END);
  }

  /** A program image's pages in the code region: the same rules as mmap. */
  mapImage(pid: number, va: number, len: number, writable: boolean): boolean {
    return this.mapFixed(pid, va, len, writable, USER_CODE_BASE, USER_CODE_END);
  }

  /** munmap of whole pages (shared or code region): the pages are gone. */
  munmap(pid: number, va: number, len: number): boolean {
    const p = this.get(pid);
    this.dropPages(p, va, va + len);
    for (let a = va; a < va + len; a += PAGE_SIZE) p.mapped.delete(a >>> PAGE_SHIFT);
    return true;
  }

  /** Maps whole pages of [va, va+len) inside [start, end): false if it leaves the region or overlaps. */
  private mapFixed(pid: number, va: number, len: number, writable: boolean, start: number, end: number): boolean {
    const p = this.get(pid);
    if (len <= 0 || va < start || va + len > end) return false;
    for (let a = va; a < va + len; a += PAGE_SIZE) if (p.mapped.has(a >>> PAGE_SHIFT)) return false;
    for (let a = va; a < va + len; a += PAGE_SIZE) p.mapped.set(a >>> PAGE_SHIFT, writable);
    return true;
  }

  private dropPages(p: ModelProcess, from: number, to: number): void {
    for (let a = from; a < to; a += PAGE_SIZE) p.pages.delete(Math.floor(a / PAGE_SIZE));
  }
}
