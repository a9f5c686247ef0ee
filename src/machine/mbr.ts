/**
 * MBR partition tables, read and written as sfdisk (util-linux) does.
 *
 * Sector 0 of the disk: boot code (0..439), disk identifier (440..443, the
 * "label-id" of sfdisk), two zero bytes, four 16-byte entries from 446, and
 * the signature 0x55 0xAA at 510. An entry: status (0x80 bootable, 0x00
 * not), CHS of the first sector, type, CHS of the last sector, LBA of the
 * first sector, sector count. An entry is in use when its sector count is
 * not zero (libfdisk's rule); sfdisk names entry N "<image>N".
 *
 * Logical partitions: one entry of type 0x05, 0x0F or 0x85 is an extended
 * partition, a chain of EBRs (extended boot records) starting at its first
 * sector. An EBR is laid out as sector 0 (signature included); its first
 * entry is a logical partition, its start relative to the EBR, and its
 * second links to the next EBR, its start relative to the extended
 * partition. Linux and sfdisk number the logical partitions 5, 6, ... in
 * chain order; an EBR whose first entry is empty takes no number. We read
 * chains but write primary partitions only.
 *
 * CHS values are what sfdisk writes for an image file: a geometry of 255
 * heads and 63 sectors per track, and 1023/254/63 (bytes FE FF FF) for a
 * sector past what CHS can address. Nothing reads CHS any more, but tools
 * compare it, so we write the same bytes.
 *
 * The swap area (seed-notes.md "Swap device"): the first partition of type
 * 0x82 (Linux swap) or 0xE5 (EYN-OS swap); slot N is the 8 sectors from
 * partition LBA + 8N, and there are sectorCount / 8 slots.
 */

import { type BlockDevice, DiskFormatError, SECTOR_SIZE } from "./block-device.js";

export const MBR_DISK_ID_OFFSET = 440;
export const MBR_TABLE_OFFSET = 446;
export const MBR_ENTRY_SIZE = 16;
export const MBR_ENTRIES = 4;
export const MBR_SIGNATURE_OFFSET = 510;

export const PARTITION_TYPE = {
  EMPTY: 0x00,
  EXTENDED: 0x05,
  LINUX_SWAP: 0x82,
  LINUX: 0x83,
  EXTENDED_LBA: 0x0f,
  EXTENDED_LINUX: 0x85,
  EYN_SWAP: 0xe5,
  GPT_PROTECTIVE: 0xee,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: "Empty",
  0x01: "FAT12",
  0x05: "Extended",
  0x06: "FAT16",
  0x07: "HPFS/NTFS/exFAT",
  0x0b: "W95 FAT32",
  0x0c: "W95 FAT32 (LBA)",
  0x0e: "W95 FAT16 (LBA)",
  0x0f: "W95 Ext'd (LBA)",
  0x82: "Linux swap",
  0x83: "Linux",
  0x85: "Linux extended",
  0x8e: "Linux LVM",
  0xe5: "EYN-OS swap",
  0xee: "GPT",
  0xef: "EFI (FAT-12/16/32)",
  0xfd: "Linux raid autodetect",
};

/** The geometry sfdisk assumes for an image file. */
export const SFDISK_GEOMETRY = { heads: 255, sectorsPerTrack: 63 } as const;

export interface Chs {
  readonly cylinder: number;
  readonly head: number;
  readonly sector: number;
}

/** A partition; `slot` is 1..4 for an entry of sector 0 (index + 1), 5.. for a logical partition. */
export interface Partition {
  readonly slot: number;
  readonly bootable: boolean;
  readonly type: number;
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly chsFirst: Chs;
  readonly chsLast: Chs;
}

/** A partition table: the disk identifier and the partitions, primaries in slot order, then logicals. */
export interface PartitionTable {
  readonly diskId: number;
  readonly partitions: readonly Partition[];
}

/** What to write for one primary partition; CHS is computed, `slot` defaults to the next free one. */
export interface PartitionSpec {
  readonly slot?: number;
  readonly bootable?: boolean;
  readonly type: number;
  readonly firstLba: number;
  readonly sectorCount: number;
}

/** The swap area of a disk: where slot 0 starts and how many 4 KiB slots fit. */
export interface SwapArea {
  readonly partition: Partition;
  readonly firstLba: number;
  readonly slotCount: number;
}

export const SECTORS_PER_SWAP_SLOT = 8;

/** Sector `lba` of the disk being read, 512 bytes; called only for LBAs on the device. */
export type SectorReader = (lba: number) => Uint8Array;

/** Number of the first logical partition (Linux's and sfdisk's). */
const FIRST_LOGICAL_SLOT = MBR_ENTRIES + 1;

/** "Linux swap", "EYN-OS swap", or "unknown" for the type byte `type`. */
export function partitionTypeName(type: number): string {
  return TYPE_NAMES[type] ?? "unknown";
}

/** True for 0x05, 0x0F and 0x85, the types Linux follows as an EBR chain. */
function isExtendedType(type: number): boolean {
  return type === PARTITION_TYPE.EXTENDED || type === PARTITION_TYPE.EXTENDED_LBA || type === PARTITION_TYPE.EXTENDED_LINUX;
}

/** True for 0x82 (Linux swap) and 0xE5 (EYN-OS swap). */
export function isSwapType(type: number): boolean {
  return type === PARTITION_TYPE.LINUX_SWAP || type === PARTITION_TYPE.EYN_SWAP;
}

/** CHS of `lba` in sfdisk's geometry; 1023/254/63 for sectors CHS cannot address. */
export function lbaToChs(lba: number): Chs {
  const { heads, sectorsPerTrack } = SFDISK_GEOMETRY;
  const perCylinder = heads * sectorsPerTrack;
  if (Math.floor(lba / perCylinder) > 1023) lba = perCylinder * 1024 - 1;
  return {
    cylinder: Math.floor(lba / perCylinder),
    head: Math.floor(lba / sectorsPerTrack) % heads,
    sector: (lba % sectorsPerTrack) + 1,
  };
}

/**
 * Parses the partition table of a device of `deviceSectors` sectors: sector
 * 0, then the EBR chain of its extended partition, if any. Throws
 * DiskFormatError naming `name`.
 */
export function parsePartitionTable(readSector: SectorReader, deviceSectors: number, name: string): PartitionTable {
  if (deviceSectors < 1) throw new DiskFormatError(`${name}: image is empty, there is no MBR`);
  const sector0 = readSector(0);
  const view = new DataView(sector0.buffer, sector0.byteOffset, SECTOR_SIZE);
  const signature = view.getUint16(MBR_SIGNATURE_OFFSET, false);
  if (signature !== 0x55aa) {
    throw new DiskFormatError(
      `${name}: no MBR signature 0x55AA at offset 510 (found 0x${hex(signature, 4)}); not a partitioned disk image`,
    );
  }
  const primaries: Partition[] = [];
  for (let i = 0; i < MBR_ENTRIES; i++) {
    const slot = i + 1;
    const entry = readEntry(view, i, `partition ${slot}`, name);
    if (entry !== null) primaries.push({ slot, ...entry });
  }
  checkPartitions(primaries, deviceSectors, name);
  const extended = primaries.filter((p) => isExtendedType(p.type));
  if (extended.length > 1) {
    throw new DiskFormatError(
      `${name}: partitions ${extended[0].slot} and ${extended[1].slot} are both extended; an MBR has at most one extended partition`,
    );
  }
  const logicals = extended.length === 0 ? [] : readLogicalPartitions({ readSector, extended: extended[0], deviceSectors, name });
  return { diskId: view.getUint32(MBR_DISK_ID_OFFSET, true), partitions: [...primaries, ...logicals] };
}

/** Reads and checks the partition table of `device`; throws DiskFormatError. */
export function readPartitionTable(device: BlockDevice): PartitionTable {
  const readSector = (lba: number): Uint8Array => {
    const sector = new Uint8Array(SECTOR_SIZE);
    device.read(lba, 1, sector);
    return sector;
  };
  return parsePartitionTable(readSector, device.sectorCount, device.name);
}

/** What following an EBR chain needs: where to read and what to check against. */
interface Chain {
  readonly readSector: SectorReader;
  readonly extended: Partition;
  readonly deviceSectors: number;
  readonly name: string;
}

/**
 * The logical partitions in the EBR chain of `extended`. The chain must stay
 * inside the extended partition and visit each EBR once: a damaged or
 * hostile image could otherwise send us round in circles or across the disk.
 * No logical partition may cover an EBR either, or writing to it (swap, say)
 * would break the chain.
 */
function readLogicalPartitions(chain: Chain): Partition[] {
  const { extended, name } = chain;
  const logicals: Partition[] = [];
  const visited = new Set<number>();
  for (let ebrLba: number | null = extended.firstLba; ebrLba !== null; ) {
    visited.add(ebrLba);
    const ebr = readEbr(chain, ebrLba);
    const slot = FIRST_LOGICAL_SLOT + logicals.length;
    const entry = readEntry(ebr, 0, `partition ${slot} (EBR at LBA ${ebrLba})`, name);
    if (entry !== null) logicals.push(logicalPartition(chain, entry, slot, ebrLba));
    ebrLba = nextEbr(chain, ebr, ebrLba, visited);
  }
  checkOverlaps(logicals, name); // first, as two partitions overlapping is the larger fault
  const ebrs = [...visited].map((firstLba) => ({ firstLba, sectorCount: 1 }));
  checkOverlaps([...logicals, ...ebrs], name);
  return logicals;
}

/** The EBR at `ebrLba`, checked for the signature and for entries 3 and 4 unused. */
function readEbr({ readSector, extended, name }: Chain, ebrLba: number): DataView {
  const sector = readSector(ebrLba);
  const view = new DataView(sector.buffer, sector.byteOffset, SECTOR_SIZE);
  const signature = view.getUint16(MBR_SIGNATURE_OFFSET, false);
  if (signature !== 0x55aa) {
    throw new DiskFormatError(
      `${name}: EBR at LBA ${ebrLba} (in extended partition ${extended.slot}) has no signature 0x55AA at offset 510 ` +
        `(found 0x${hex(signature, 4)})`,
    );
  }
  for (let i = 2; i < MBR_ENTRIES; i++) {
    const entry = MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE;
    if (view.getUint8(entry + 4) !== PARTITION_TYPE.EMPTY || view.getUint32(entry + 12, true) !== 0) {
      throw new DiskFormatError(`${name}: EBR at LBA ${ebrLba} has entry ${i + 1} in use; an EBR holds one logical partition and one link`);
    }
  }
  return view;
}

/** Logical partition `slot`, the first entry of the EBR at `ebrLba`; throws unless it lies inside the extended partition. */
function logicalPartition({ extended, deviceSectors, name }: Chain, entry: Entry, slot: number, ebrLba: number): Partition {
  if (isExtendedType(entry.type)) {
    throw new DiskFormatError(
      `${name}: EBR at LBA ${ebrLba} has extended type 0x${hex(entry.type, 2)} in entry 1; ` +
        "the logical partition comes first, the link second",
    );
  }
  const p = { slot, ...entry, firstLba: ebrLba + entry.firstLba };
  if (p.firstLba === ebrLba) {
    throw new DiskFormatError(`${name}: partition ${slot} starts at LBA ${ebrLba}, over its own EBR`);
  }
  checkWithinDevice(p, deviceSectors, name);
  if (lastLba(p) > lastLba(extended)) {
    throw new DiskFormatError(
      `${name}: partition ${slot} (LBA ${describe(p)}, EBR at LBA ${ebrLba}) runs outside ` +
        `extended partition ${extended.slot} (LBA ${describe(extended)})`,
    );
  }
  return p;
}

/** The LBA of the EBR that `ebr` (at `ebrLba`) links to, or null at the end of the chain. */
function nextEbr(
  { extended, deviceSectors, name }: Chain,
  ebr: DataView,
  ebrLba: number,
  visited: ReadonlySet<number>,
): number | null {
  const where = `EBR at LBA ${ebrLba}`;
  const link = readEntry(ebr, 1, `${where}, entry 2 (the link)`, name);
  if (link === null) return null;
  if (!isExtendedType(link.type)) {
    throw new DiskFormatError(`${name}: ${where} links with type 0x${hex(link.type, 2)}, not an extended type (05, 0F or 85)`);
  }
  const next = extended.firstLba + link.firstLba;
  if (next >= deviceSectors) {
    throw new DiskFormatError(
      `${name}: ${where} links to LBA ${next}, past the end of the device (${deviceSectors} sectors, last LBA ${deviceSectors - 1})`,
    );
  }
  if (next > lastLba(extended)) {
    throw new DiskFormatError(
      `${name}: ${where} links to LBA ${next}, outside extended partition ${extended.slot} (LBA ${describe(extended)})`,
    );
  }
  if (visited.has(next)) throw new DiskFormatError(`${name}: ${where} links back to the EBR at LBA ${next}; the EBR chain loops`);
  return next;
}

/** An entry in use, its start as written (relative, in an EBR). */
type Entry = Omit<Partition, "slot">;

/** Entry `index` of the table in `view`, or null when not in use; `what` names it in errors. */
function readEntry(view: DataView, index: number, what: string, name: string): Entry | null {
  const entry = MBR_TABLE_OFFSET + index * MBR_ENTRY_SIZE;
  const status = view.getUint8(entry);
  const type = view.getUint8(entry + 4);
  const sectorCount = view.getUint32(entry + 12, true);
  if (status !== 0x00 && status !== 0x80) {
    throw new DiskFormatError(`${name}: ${what} has status byte 0x${hex(status, 2)}, neither 0x00 nor 0x80`);
  }
  if (sectorCount === 0) {
    if (type !== PARTITION_TYPE.EMPTY) {
      throw new DiskFormatError(`${name}: ${what} is empty (0 sectors) but has type 0x${hex(type, 2)}`);
    }
    return null;
  }
  return {
    bootable: status === 0x80,
    type,
    firstLba: view.getUint32(entry + 8, true),
    sectorCount,
    chsFirst: decodeChs(view, entry + 1),
    chsLast: decodeChs(view, entry + 5),
  };
}

/**
 * Builds the table `specs` describe (CHS computed, slots assigned in order)
 * and checks it against a device of `deviceSectors`; throws DiskFormatError.
 */
export function buildPartitionTable(
  diskId: number,
  specs: readonly PartitionSpec[],
  deviceSectors: number,
  name: string,
): PartitionTable {
  const used = new Set<number>();
  const partitions: Partition[] = [];
  for (const spec of specs) {
    let slot = spec.slot ?? 1;
    if (spec.slot === undefined) while (used.has(slot)) slot++;
    if (!Number.isInteger(slot) || slot < 1 || slot > MBR_ENTRIES || used.has(slot)) {
      throw new DiskFormatError(`${name}: no free MBR entry ${slot} (an MBR has entries 1..4)`);
    }
    used.add(slot);
    if (spec.sectorCount === 0 || spec.type === PARTITION_TYPE.EMPTY) {
      throw new DiskFormatError(`${name}: partition ${slot} is empty (type 0x${hex(spec.type, 2)}, ${spec.sectorCount} sectors)`);
    }
    if (![spec.type, spec.firstLba, spec.sectorCount].every(Number.isInteger) || spec.type > 0xff) {
      throw new DiskFormatError(`${name}: partition ${slot} has a non-integer or out-of-range field`);
    }
    if (isExtendedType(spec.type)) {
      throw new DiskFormatError(
        `${name}: partition ${slot} has extended type 0x${hex(spec.type, 2)}; only primary partitions are written, not EBR chains`,
      );
    }
    if (spec.firstLba > 0xffffffff || spec.sectorCount > 0xffffffff) {
      throw new DiskFormatError(`${name}: partition ${slot} does not fit the 32-bit LBA fields of an MBR`);
    }
    partitions.push({
      slot,
      bootable: spec.bootable ?? false,
      type: spec.type,
      firstLba: spec.firstLba,
      sectorCount: spec.sectorCount,
      chsFirst: lbaToChs(spec.firstLba),
      chsLast: lbaToChs(spec.firstLba + spec.sectorCount - 1),
    });
  }
  partitions.sort((a, b) => a.slot - b.slot);
  checkPartitions(partitions, deviceSectors, name);
  return { diskId: diskId >>> 0, partitions };
}

/** Encodes the primary entries of `table` into sector 0, keeping the boot code bytes 0..439 of `sector0`. */
export function encodePartitionTable(table: PartitionTable, sector0: Uint8Array = new Uint8Array(SECTOR_SIZE)): Uint8Array {
  const out = new Uint8Array(SECTOR_SIZE);
  out.set(sector0.subarray(0, MBR_DISK_ID_OFFSET));
  const view = new DataView(out.buffer);
  view.setUint32(MBR_DISK_ID_OFFSET, table.diskId >>> 0, true);
  for (const p of table.partitions) {
    if (p.slot >= FIRST_LOGICAL_SLOT) continue; // it lives in an EBR
    const entry = MBR_TABLE_OFFSET + (p.slot - 1) * MBR_ENTRY_SIZE;
    view.setUint8(entry, p.bootable ? 0x80 : 0x00);
    encodeChs(view, entry + 1, p.chsFirst);
    view.setUint8(entry + 4, p.type);
    encodeChs(view, entry + 5, p.chsLast);
    view.setUint32(entry + 8, p.firstLba, true);
    view.setUint32(entry + 12, p.sectorCount, true);
  }
  view.setUint16(MBR_SIGNATURE_OFFSET, 0x55aa, false);
  return out;
}

/**
 * Writes `table` to sector 0 of `device`, keeping its boot code; checks the
 * table first. Refuses an extended partition: its EBR chain is not written.
 */
export function writePartitionTable(device: BlockDevice, table: PartitionTable): void {
  const extended = table.partitions.find((p) => isExtendedType(p.type));
  if (extended !== undefined) {
    throw new DiskFormatError(
      `${device.name}: partition ${extended.slot} is extended; only primary partitions are written, not EBR chains`,
    );
  }
  checkPartitions(table.partitions, device.sectorCount, device.name);
  const sector0 = new Uint8Array(SECTOR_SIZE);
  device.read(0, 1, sector0);
  device.write(0, 1, encodePartitionTable(table, sector0));
}

/** The swap area: the first partition of type 0x82 or 0xE5, primary or logical, or null when there is none. */
export function findSwapArea(table: PartitionTable): SwapArea | null {
  const partition = table.partitions.find((p) => isSwapType(p.type));
  if (partition === undefined) return null;
  return {
    partition,
    firstLba: partition.firstLba,
    slotCount: Math.floor(partition.sectorCount / SECTORS_PER_SWAP_SLOT),
  };
}

/** First sector of swap slot `slot` (8 sectors, one 4 KiB page). */
export function swapSlotLba(area: SwapArea, slot: number): number {
  return area.firstLba + slot * SECTORS_PER_SWAP_SLOT;
}

/** Throws DiskFormatError for a primary entry over the MBR, past the device's end, or overlapping another. */
function checkPartitions(partitions: readonly Partition[], deviceSectors: number, name: string): void {
  for (const p of partitions) {
    if (p.type === PARTITION_TYPE.GPT_PROTECTIVE) {
      throw new DiskFormatError(`${name}: a GPT disk (protective MBR, type 0xEE); only MBR partition tables are read`);
    }
    if (p.firstLba === 0) {
      throw new DiskFormatError(`${name}: partition ${p.slot} starts at LBA 0, over the MBR itself`);
    }
    checkWithinDevice(p, deviceSectors, name);
  }
  checkOverlaps(partitions, name);
}

function checkWithinDevice(p: Partition, deviceSectors: number, name: string): void {
  if (p.firstLba + p.sectorCount > deviceSectors) {
    throw new DiskFormatError(
      `${name}: partition ${p.slot} (LBA ${describe(p)}) runs past the end of the device ` +
        `(${deviceSectors} sectors, last LBA ${deviceSectors - 1})`,
    );
  }
}

/** Sectors no other extent may share: a partition (with its slot), or the one sector of an EBR (without). */
interface Extent {
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly slot?: number;
}

/**
 * Throws DiskFormatError naming two of `extents` that share a sector.
 * Sorted by start, disjoint extents each end before the next begins, so
 * neighbours are all we compare: a long EBR chain costs n log n, not n².
 */
function checkOverlaps(extents: readonly Extent[], name: string): void {
  const byStart = [...extents].sort((a, b) => a.firstLba - b.firstLba);
  for (let i = 1; i < byStart.length; i++) {
    if (byStart[i].firstLba <= lastLba(byStart[i - 1])) {
      const [a, b] = [byStart[i - 1], byStart[i]].sort((x, y) => slotOrder(x) - slotOrder(y));
      const pair =
        a.slot !== undefined && b.slot !== undefined
          ? `partitions ${a.slot} (LBA ${describe(a)}) and ${b.slot} (LBA ${describe(b)})`
          : `${extentName(a)} and ${extentName(b)}`;
      throw new DiskFormatError(`${name}: ${pair} overlap`);
    }
  }
}

/** Partitions by slot, then EBRs. */
function slotOrder(e: Extent): number {
  return e.slot ?? Number.MAX_SAFE_INTEGER;
}

function extentName(e: Extent): string {
  return e.slot === undefined ? `EBR at LBA ${e.firstLba}` : `partition ${e.slot} (LBA ${describe(e)})`;
}

function lastLba(e: Extent): number {
  return e.firstLba + e.sectorCount - 1;
}

function describe(e: Extent): string {
  return `${e.firstLba}..${lastLba(e)}`;
}

function decodeChs(view: DataView, at: number): Chs {
  const head = view.getUint8(at);
  const b1 = view.getUint8(at + 1);
  const b2 = view.getUint8(at + 2);
  return { head, sector: b1 & 0x3f, cylinder: ((b1 & 0xc0) << 2) | b2 };
}

function encodeChs(view: DataView, at: number, chs: Chs): void {
  view.setUint8(at, chs.head);
  view.setUint8(at + 1, (chs.sector & 0x3f) | ((chs.cylinder >> 2) & 0xc0));
  view.setUint8(at + 2, chs.cylinder & 0xff);
}

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, "0");
}
