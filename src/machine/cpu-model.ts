/**
 * Processor models: which paging features a CPU has and the shape of its
 * data TLB. The presets follow the Intel manuals of each generation.
 */

export interface TlbShape {
  /** Entries for 4 KiB pages. */
  readonly entries: number;
  readonly ways: number;
  /** Entries for 4 MiB pages (0: 4 MiB pages are cached as 4 KiB pieces in the main TLB). */
  readonly largeEntries: number;
  readonly largeWays: number;
}

/** The main TLB's size (entries, ways per set), or "off" to walk on every access: what `--tlb` and a scenario choose. */
export type TlbChoice = Pick<TlbShape, "entries" | "ways"> | "off";

export interface CpuModel {
  readonly name: CpuName;
  /** INVLPG exists (486+). Without it the only invalidation is a CR3 reload. */
  readonly hasInvlpg: boolean;
  /** CR0.WP exists (486+): supervisor writes honour read-only pages when set. */
  readonly hasWp: boolean;
  /** CR4.PSE exists (Pentium+): 4 MiB pages. */
  readonly hasPse: boolean;
  /** CR4.PGE exists (P6+): global pages survive CR3 loads. */
  readonly hasPge: boolean;
  readonly tlb: TlbShape;
}

export const CPU_NAMES = ["i386", "i486", "pentium", "p6"] as const;
export type CpuName = (typeof CPU_NAMES)[number];

export const CPU_MODELS: Readonly<Record<CpuName, CpuModel>> = {
  i386: {
    name: "i386",
    hasInvlpg: false,
    hasWp: false,
    hasPse: false,
    hasPge: false,
    tlb: { entries: 32, ways: 4, largeEntries: 0, largeWays: 0 },
  },
  i486: {
    name: "i486",
    hasInvlpg: true,
    hasWp: true,
    hasPse: false,
    hasPge: false,
    tlb: { entries: 32, ways: 4, largeEntries: 0, largeWays: 0 },
  },
  pentium: {
    name: "pentium",
    hasInvlpg: true,
    hasWp: true,
    hasPse: true,
    hasPge: false,
    tlb: { entries: 64, ways: 4, largeEntries: 8, largeWays: 4 },
  },
  p6: {
    name: "p6",
    hasInvlpg: true,
    hasWp: true,
    hasPse: true,
    hasPge: true,
    tlb: { entries: 64, ways: 4, largeEntries: 8, largeWays: 4 },
  },
};

export function isCpuName(s: string): s is CpuName {
  return (CPU_NAMES as readonly string[]).includes(s);
}
