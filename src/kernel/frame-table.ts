/**
 * The frame table: what each physical frame is used for, and for user pages
 * how many PTEs map it and where those PTEs are (the reverse map).
 *
 * Why a reverse map: a frame shared by fork (COW or read-only) is mapped by
 * several PTEs in several address spaces. Eviction must rewrite every one of
 * them (seed defect 4), and the replacement policy's "was it referenced?"
 * must look at every one's Accessed bit. The reverse map stores PTE
 * *locations* (the physical address of the entry), never entry values: the
 * page tables in simulated memory stay the one truth.
 *
 * A page-table frame records its owner (address space id, directory slot),
 * so a PTE location alone gives the space and the virtual address it maps.
 * Everything is typed arrays; the reverse map is a pool of singly linked
 * nodes with a free list, so add is O(1) and remove is O(mappings of that
 * frame), almost always 1.
 */

/** What a frame holds. */
export const FrameKind = {
  FREE: 0,
  /** Never allocatable: below 1 MiB, kernel image, multiboot payloads, memory-map holes. */
  RESERVED: 1,
  /** Boot allocations (the kernel's page directory and page tables) and kernel heap pages (see `heap`). */
  KERNEL: 2,
  PAGE_TABLE: 3,
  PAGE_DIRECTORY: 4,
  /** A user page, mapped by `refcount` PTEs. */
  USER: 5,
} as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export const FRAME_KIND_NAMES = ["free", "reserved", "kernel", "page-table", "page-directory", "user"] as const;

const NONE = -1;

export class FrameTable {
  readonly frames: number;
  readonly kind: Uint8Array;
  /** PTEs mapping a user frame. */
  readonly refcount: Int32Array;
  /** Frames the kernel is working on (a COW source being copied): not evictable. */
  readonly pinned: Uint8Array;
  /**
   * A reference seen by working-set sampling, which cleared the Accessed bits:
   * kept here so the replacement policy still learns of it (Linux's PG_referenced).
   */
  readonly softReferenced: Uint8Array;
  /** For a page-table frame: the owning address space id; for a directory: its space id. */
  readonly ownerSpace: Int32Array;
  /** For a page-table frame: the directory slot it serves. */
  readonly ownerSlot: Int16Array;
  /** 1 for a kernel-heap page (kmallocPage, kmallocAligned) not yet freed: the only frames kfreePage frees. */
  readonly heap: Uint8Array;

  private readonly head: Int32Array;
  private nodePte: Uint32Array;
  private nodeNext: Int32Array;
  private freeNode = NONE;
  private nodesUsed = 0;

  constructor(frames: number) {
    this.frames = frames;
    this.kind = new Uint8Array(frames);
    this.refcount = new Int32Array(frames);
    this.pinned = new Uint8Array(frames);
    this.softReferenced = new Uint8Array(frames);
    this.ownerSpace = new Int32Array(frames).fill(NONE);
    this.ownerSlot = new Int16Array(frames).fill(NONE);
    this.heap = new Uint8Array(frames);
    this.head = new Int32Array(frames).fill(NONE);
    const capacity = Math.max(1024, Math.min(frames, 1 << 20));
    this.nodePte = new Uint32Array(capacity);
    this.nodeNext = new Int32Array(capacity);
  }

  /** Records that the PTE at physical address `pteAddr` maps user frame `pfn`. */
  addMapping(pfn: number, pteAddr: number): void {
    let node = this.freeNode;
    if (node !== NONE) {
      this.freeNode = this.nodeNext[node];
    } else {
      if (this.nodesUsed === this.nodePte.length) this.grow();
      node = this.nodesUsed++;
    }
    this.nodePte[node] = pteAddr;
    this.nodeNext[node] = this.head[pfn];
    this.head[pfn] = node;
    this.refcount[pfn]++;
  }

  /** Forgets the mapping of `pfn` by the PTE at `pteAddr`; returns the PTEs left, or -1 if it was not recorded. */
  removeMapping(pfn: number, pteAddr: number): number {
    let prev = NONE;
    for (let node = this.head[pfn]; node !== NONE; prev = node, node = this.nodeNext[node]) {
      if (this.nodePte[node] !== pteAddr >>> 0) continue;
      const next = this.nodeNext[node];
      if (prev === NONE) this.head[pfn] = next;
      else this.nodeNext[prev] = next;
      this.nodeNext[node] = this.freeNode;
      this.freeNode = node;
      return --this.refcount[pfn];
    }
    return -1;
  }

  /** First reverse-map node of `pfn` (-1 if none); iterate with `nextNode`, read with `nodePteAddr`. */
  firstNode(pfn: number): number {
    return this.head[pfn];
  }
  nextNode(node: number): number {
    return this.nodeNext[node];
  }
  nodePteAddr(node: number): number {
    return this.nodePte[node];
  }

  /** The PTE locations of `pfn`, as a fresh array (for the checker and tests, not hot paths). */
  mappingsOf(pfn: number): number[] {
    const out: number[] = [];
    for (let n = this.head[pfn]; n !== NONE; n = this.nodeNext[n]) out.push(this.nodePte[n]);
    return out;
  }

  /** Space id owning the page table that holds the PTE at `pteAddr`. */
  spaceOfPte(pteAddr: number): number {
    return this.ownerSpace[pteAddr >>> 12];
  }

  /** Virtual address mapped by the PTE at `pteAddr` (its table records the directory slot). */
  vaOfPte(pteAddr: number): number {
    return ((this.ownerSlot[pteAddr >>> 12] << 22) | (((pteAddr & 0xfff) >>> 2) << 12)) >>> 0;
  }

  /** Sets what frame `pfn` is; clears its per-use fields and forgets any mappings. */
  setKind(pfn: number, kind: FrameKindValue, ownerSpace = NONE, ownerSlot = NONE): void {
    if (this.head[pfn] !== NONE) this.dropAllMappings(pfn);
    this.kind[pfn] = kind;
    this.ownerSpace[pfn] = ownerSpace;
    this.ownerSlot[pfn] = ownerSlot;
    this.refcount[pfn] = 0;
    this.pinned[pfn] = 0;
    this.softReferenced[pfn] = 0;
    this.heap[pfn] = 0;
    this.head[pfn] = NONE;
  }

  /** Forgets every mapping of `pfn` (eviction rewrote them all). */
  dropAllMappings(pfn: number): void {
    let node = this.head[pfn];
    while (node !== NONE) {
      const next = this.nodeNext[node];
      this.nodeNext[node] = this.freeNode;
      this.freeNode = node;
      node = next;
    }
    this.head[pfn] = NONE;
    this.refcount[pfn] = 0;
  }

  private grow(): void {
    const pte = new Uint32Array(this.nodePte.length * 2);
    pte.set(this.nodePte);
    const next = new Int32Array(this.nodeNext.length * 2);
    next.set(this.nodeNext);
    this.nodePte = pte;
    this.nodeNext = next;
  }
}
