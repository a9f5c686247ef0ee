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

/** A partition as written in the table; `slot` is 1..4 (entry index + 1). */
export interface Partition {
  readonly slot: number;
  readonly bootable: boolean;
  readonly type: number;
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly chsFirst: Chs;
  readonly chsLast: Chs;
}

/** A partition table: the disk identifier and the entries in use, in slot order. */
export interface PartitionTable {
  readonly diskId: number;
  readonly partitions: readonly Partition[];
}

/** What to write for one partition; CHS is computed, `slot` defaults to the next free one. */
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

/** "Linux swap", "EYN-OS swap", or "unknown" for the type byte `type`. */
export function partitionTypeName(type: number): string {
  return TYPE_NAMES[type] ?? "unknown";
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

/** Parses sector 0 of a device of `deviceSectors` sectors; throws DiskFormatError naming `name`. */
export function parsePartitionTable(sector0: Uint8Array, deviceSectors: number, name: string): PartitionTable {
  if (sector0.length < SECTOR_SIZE || deviceSectors < 1) {
    throw new DiskFormatError(`${name}: image is empty, there is no MBR`);
  }
  const view = new DataView(sector0.buffer, sector0.byteOffset, SECTOR_SIZE);
  const signature = view.getUint16(MBR_SIGNATURE_OFFSET, false);
  if (signature !== 0x55aa) {
    throw new DiskFormatError(
      `${name}: no MBR signature 0x55AA at offset 510 (found 0x${hex(signature, 4)}); not a partitioned disk image`,
    );
  }
  const partitions: Partition[] = [];
  for (let i = 0; i < MBR_ENTRIES; i++) {
    const entry = MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE;
    const slot = i + 1;
    const status = view.getUint8(entry);
    const type = view.getUint8(entry + 4);
    const firstLba = view.getUint32(entry + 8, true);
    const sectorCount = view.getUint32(entry + 12, true);
    if (status !== 0x00 && status !== 0x80) {
      throw new DiskFormatError(`${name}: partition ${slot} has status byte 0x${hex(status, 2)}, neither 0x00 nor 0x80`);
    }
    if (sectorCount === 0) {
      if (type !== PARTITION_TYPE.EMPTY) {
        throw new DiskFormatError(`${name}: partition ${slot} is empty (0 sectors) but has type 0x${hex(type, 2)}`);
      }
      continue;
    }
    partitions.push({
      slot,
      bootable: status === 0x80,
      type,
      firstLba,
      sectorCount,
      chsFirst: decodeChs(view, entry + 1),
      chsLast: decodeChs(view, entry + 5),
    });
  }
  checkPartitions(partitions, deviceSectors, name);
  return { diskId: view.getUint32(MBR_DISK_ID_OFFSET, true), partitions };
}

/** Reads and checks the partition table of `device`; throws DiskFormatError. */
export function readPartitionTable(device: BlockDevice): PartitionTable {
  if (device.sectorCount < 1) throw new DiskFormatError(`${device.name}: image is empty, there is no MBR`);
  const sector0 = new Uint8Array(SECTOR_SIZE);
  device.read(0, 1, sector0);
  return parsePartitionTable(sector0, device.sectorCount, device.name);
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

/** Encodes `table` into sector 0, keeping the boot code bytes 0..439 of `sector0`. */
export function encodePartitionTable(table: PartitionTable, sector0: Uint8Array = new Uint8Array(SECTOR_SIZE)): Uint8Array {
  const out = new Uint8Array(SECTOR_SIZE);
  out.set(sector0.subarray(0, MBR_DISK_ID_OFFSET));
  const view = new DataView(out.buffer);
  view.setUint32(MBR_DISK_ID_OFFSET, table.diskId >>> 0, true);
  for (const p of table.partitions) {
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

/** Writes `table` to sector 0 of `device`, keeping its boot code; checks the table first. */
export function writePartitionTable(device: BlockDevice, table: PartitionTable): void {
  checkPartitions(table.partitions, device.sectorCount, device.name);
  const sector0 = new Uint8Array(SECTOR_SIZE);
  device.read(0, 1, sector0);
  device.write(0, 1, encodePartitionTable(table, sector0));
}

/** The swap area: the first partition of type 0x82 or 0xE5, or null when there is none. */
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

/** Throws DiskFormatError for an entry over the MBR, past the device's end, or overlapping another. */
function checkPartitions(partitions: readonly Partition[], deviceSectors: number, name: string): void {
  for (const p of partitions) {
    if (p.type === PARTITION_TYPE.GPT_PROTECTIVE) {
      throw new DiskFormatError(`${name}: a GPT disk (protective MBR, type 0xEE); only MBR partition tables are read`);
    }
    if (p.firstLba === 0) {
      throw new DiskFormatError(`${name}: partition ${p.slot} starts at LBA 0, over the MBR itself`);
    }
    if (p.firstLba + p.sectorCount > deviceSectors) {
      throw new DiskFormatError(
        `${name}: partition ${p.slot} (LBA ${describe(p)}) runs past the end of the device ` +
          `(${deviceSectors} sectors, last LBA ${deviceSectors - 1})`,
      );
    }
  }
  for (let i = 0; i < partitions.length; i++) {
    for (let j = i + 1; j < partitions.length; j++) {
      const a = partitions[i];
      const b = partitions[j];
      if (a.firstLba < b.firstLba + b.sectorCount && b.firstLba < a.firstLba + a.sectorCount) {
        throw new DiskFormatError(
          `${name}: partitions ${a.slot} (LBA ${describe(a)}) and ${b.slot} (LBA ${describe(b)}) overlap`,
        );
      }
    }
  }
}

function describe(p: Partition): string {
  return `${p.firstLba}..${p.firstLba + p.sectorCount - 1}`;
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
