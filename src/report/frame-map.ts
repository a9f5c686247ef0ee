/**
 * The frame map of `vmm386 inspect`: one symbol per physical frame saying
 * what it holds, so that free RAM, memory the kernel may never hand out, the
 * kernel's own pages, paging structures and each process's pages can be told
 * apart at a glance.
 *
 * The kernel's frame table is the truth for what a frame is used for; boot's
 * layout splits its reserved and kernel frames further (kernel image,
 * multiboot payloads, boot page tables), and for a user page the PTEs that
 * map it (the reverse map) say whose it is and whether it is copy-on-write.
 */

import type { Machine } from "../machine/machine.js";
import { isCow } from "../kernel/pte.js";
import type { FrameUse, KernelInspection, Vmm } from "../kernel/vmm.js";

/** What a frame holds, as the map tells it apart. */
export type FrameClass =
  | "free"
  | "reserved"
  | "multiboot"
  | "kernel-image"
  | "kernel-paging"
  | "kernel-heap"
  | "page-directory"
  | "page-table"
  | "user"
  | "shared"
  | "cow"
  | "swap-cache";

/** Symbol and meaning of every class but "user" (whose symbol names the process). */
const CLASSES: Record<Exclude<FrameClass, "user">, { symbol: string; meaning: string }> = {
  free: { symbol: ".", meaning: "free" },
  reserved: { symbol: "#", meaning: "reserved: below 1 MiB, not RAM in the memory map, or reserved ranges" },
  multiboot: { symbol: "M", meaning: "multiboot payload (boot information, memory map, command lines, modules)" },
  "kernel-image": { symbol: "K", meaning: "kernel image (text, data, bss)" },
  "kernel-paging": { symbol: "P", meaning: "kernel page directory and page tables built at boot (RAM mapped at 0 and at KERNEL_BASE)" },
  "kernel-heap": { symbol: "H", meaning: "kernel heap page (kmalloc)" },
  "page-directory": { symbol: "D", meaning: "page directory of a process" },
  "page-table": { symbol: "T", meaning: "page table of a process" },
  shared: { symbol: "S", meaning: "user page shared read-only by several PTEs" },
  cow: { symbol: "C", meaning: "user page shared copy-on-write" },
  "swap-cache": { symbol: "$", meaning: "user page in the swap cache (a clean copy of a swap slot)" },
};

const CLASS_ORDER: readonly FrameClass[] = [
  "free",
  "reserved",
  "multiboot",
  "kernel-image",
  "kernel-paging",
  "kernel-heap",
  "page-directory",
  "page-table",
  "user",
  "shared",
  "cow",
  "swap-cache",
];

/** A user page mapped by one process shows that process's pid as one character: 1-9, then a-z. */
const PID_SYMBOLS = "123456789abcdefghijklmnopqrstuvwxyz";
/** A user page of a process whose pid has no character of its own. */
const OTHER_PID_SYMBOL = "+";
/** Where the OTHER_PID_SYMBOL entry sorts among pids. */
const OTHER_PIDS = PID_SYMBOLS.length + 1;

export interface FrameMapProcess {
  readonly pid: number;
  readonly name: string;
  /** Physical address of its page directory; null without an address space. */
  readonly pageDirectory: number | null;
}

/** One symbol of the map: its class, what it means, and how many frames show it. */
export interface FrameLegendEntry {
  readonly symbol: string;
  readonly class: FrameClass;
  readonly meaning: string;
  frames: number;
  /** For a user page of one process. */
  readonly pid?: number;
}

export interface FrameMap {
  totalFrames: number;
  freeFrames: number;
  /** Frames holding user pages (of one process or shared). */
  userFrames: number;
  /** User frames mapped by several PTEs (copy-on-write or read-only). */
  sharedFrames: number;
  pageTableFrames: number;
  directoryFrames: number;
  /** Kernel paging structures built at boot and kernel heap pages. */
  kernelFrames: number;
  /** Frames never allocatable: below 1 MiB, kernel image, multiboot payloads, memory-map holes. */
  reservedFrames: number;
  /** One symbol per frame, frame 0 first; `legend` says what each symbol present means. */
  map: string;
  /** Every symbol the map uses: free, reserved, kernel, paging structures, then user pages (by pid). */
  legend: FrameLegendEntry[];
}

/** What each frame of `system` holds now; `processes` name the owners of user pages. */
export function frameMap(system: { readonly vmm: Vmm; readonly machine: Machine }, processes: readonly FrameMapProcess[]): FrameMap {
  const { vmm, machine } = system;
  const kernel = vmm.inspect;
  const total = kernel.frames;
  const ownerOfSpace = new Map<number, FrameMapProcess>();
  for (const p of processes) if (p.pageDirectory !== null) ownerOfSpace.set(kernel.spaceOfDirectory(p.pageDirectory), p);
  const image = machine.kernelImage;
  const inKernelImage = (pfn: number): boolean => pfn * 4096 < image.end && (pfn + 1) * 4096 > image.textStart;
  const legend = new Legend();
  const classify = (pfn: number): string => {
    const use = kernel.frameUse(pfn);
    if (use !== "user") return legend.noteClass(systemClass(kernel, use, pfn, inKernelImage));
    const ptes = kernel.mappings(pfn);
    if (kernel.swapCacheSlot(pfn) >= 0) return legend.noteClass("swap-cache");
    if (ptes.length > 1) return legend.noteClass(ptes.some((a) => isCow(kernel.entryAt(a))) ? "cow" : "shared");
    return legend.noteUser(ownerOfSpace.get(kernel.spaceOfEntry(ptes[0])));
  };

  const cells = new Array<string>(total);
  const perUse = new Map<FrameUse, number>();
  let shared = 0;
  for (let pfn = 0; pfn < total; pfn++) {
    cells[pfn] = classify(pfn);
    const use = kernel.frameUse(pfn);
    perUse.set(use, (perUse.get(use) ?? 0) + 1);
    if (kernel.refcount(pfn) > 1) shared++;
  }
  const count = (use: FrameUse): number => perUse.get(use) ?? 0;
  return {
    totalFrames: total,
    freeFrames: vmm.freeFrames,
    userFrames: count("user"),
    sharedFrames: shared,
    pageTableFrames: count("page-table"),
    directoryFrames: count("page-directory"),
    kernelFrames: count("kernel"),
    reservedFrames: count("reserved"),
    map: cells.join(""),
    legend: legend.entries(),
  };
}

/** The class of a frame that holds no user page: boot's layout splits reserved and kernel frames further. */
function systemClass(kernel: KernelInspection, use: Exclude<FrameUse, "user">, pfn: number, inKernelImage: (pfn: number) => boolean): Exclude<FrameClass, "user"> {
  switch (use) {
    case "free":
      return "free";
    case "reserved":
      return inKernelImage(pfn) ? "kernel-image" : kernel.bootOrigin(pfn) === "payload" ? "multiboot" : "reserved";
    case "kernel":
      return kernel.bootOrigin(pfn) === "paging" ? "kernel-paging" : "kernel-heap";
    case "page-table":
      return "page-table";
    case "page-directory":
      return "page-directory";
  }
}

/** The symbols a map uses, each with its meaning and the frames showing it. */
class Legend {
  private readonly bySymbol = new Map<string, FrameLegendEntry>();

  noteClass(cls: Exclude<FrameClass, "user">): string {
    return this.note(CLASSES[cls].symbol, cls, CLASSES[cls].meaning);
  }

  /** A user page mapped by one PTE: its process's pid symbol. */
  noteUser(owner: FrameMapProcess | undefined): string {
    if (owner !== undefined && owner.pid >= 1 && owner.pid <= PID_SYMBOLS.length) {
      return this.note(PID_SYMBOLS[owner.pid - 1], "user", `user page of pid ${owner.pid} (${owner.name})`, owner.pid);
    }
    return this.note(OTHER_PID_SYMBOL, "user", `user page of a process with pid above ${PID_SYMBOLS.length}`);
  }

  /** Every entry: free, reserved, kernel, paging structures, then user pages (by pid). */
  entries(): FrameLegendEntry[] {
    return [...this.bySymbol.values()].sort(byClassThenPid);
  }

  private note(symbol: string, cls: FrameClass, meaning: string, pid?: number): string {
    const e = this.bySymbol.get(symbol);
    if (e !== undefined) e.frames++;
    else this.bySymbol.set(symbol, { symbol, class: cls, meaning, frames: 1, ...(pid === undefined ? {} : { pid }) });
    return symbol;
  }
}

/** Legend order: the classes as CLASS_ORDER lists them, user pages by pid. */
function byClassThenPid(a: FrameLegendEntry, b: FrameLegendEntry): number {
  return CLASS_ORDER.indexOf(a.class) - CLASS_ORDER.indexOf(b.class) || (a.pid ?? OTHER_PIDS) - (b.pid ?? OTHER_PIDS);
}

/** Frames per line of the printed map. */
const ROW = 64;

/**
 * The map as text: a summary line, 64 frames a line headed by the first
 * frame's number, a run of identical lines shown once and then `*` (as
 * hexdump does), and the legend of the symbols used. A map ending in `*`
 * ends with the number of the frame past its last, as hexdump ends with
 * the final offset, or the reader could not tell how far the run goes.
 */
export function formatFrameMap(f: FrameMap): string {
  const out = [
    `frames: ${f.totalFrames} in all, ${f.freeFrames} free; user ${f.userFrames} (${f.sharedFrames} shared), page tables ${f.pageTableFrames}, directories ${f.directoryFrames}; kernel ${f.kernelFrames}, reserved ${f.reservedFrames}`,
  ];
  let previous = "";
  for (let i = 0; i < f.map.length; i += ROW) {
    const row = f.map.slice(i, i + ROW);
    if (row === previous) {
      if (out[out.length - 1] !== "*") out.push("*");
      continue;
    }
    out.push(`${pfnHex(i)} ${row}`);
    previous = row;
  }
  if (out[out.length - 1] === "*") out.push(pfnHex(f.map.length));
  out.push("legend (symbol, frames):");
  const width = String(Math.max(...f.legend.map((e) => e.frames))).length;
  for (const e of f.legend) out.push(`  ${e.symbol} ${String(e.frames).padStart(width)}  ${e.meaning}`);
  return out.join("\n") + "\n";
}

function pfnHex(pfn: number): string {
  return "0x" + pfn.toString(16).padStart(5, "0");
}
