/**
 * Making swap disks: an MBR with one swap partition starting at LBA 2048
 * (1 MiB, sfdisk's alignment), written on any block device — a disk in
 * memory here, an image file in disk-image.ts. Nothing here needs a host,
 * so the browser playground swaps on the same disks as the command line.
 */

import { type BlockDevice, DiskFormatError, SECTOR_SIZE } from "./block-device.js";
import { MemoryBlockDevice } from "./memory-block-device.js";
import {
  type PartitionTable,
  type SwapArea,
  PARTITION_TYPE,
  buildPartitionTable,
  findSwapArea,
  isSwapType,
  writePartitionTable,
} from "./mbr.js";
import { MIB, formatSize } from "./units.js";

/** First sector of the swap partition: 1 MiB in, as sfdisk aligns. */
export const SWAP_FIRST_LBA = 2048;
const ALIGNMENT = 4096;
/** Largest disk an MBR's 32-bit sector fields describe. */
const MAX_DISK_BYTES = 2 ** 32 * SECTOR_SIZE;

export interface SwapDiskOptions {
  /** Whole disk, bytes: a multiple of 4 KiB, at least 1 MiB + swapBytes. */
  readonly sizeBytes: number;
  /** Swap partition, bytes: a multiple of 4 KiB (whole slots), at least one slot. */
  readonly swapBytes: number;
  /** 0x82 (Linux swap, the default) or 0xE5 (EYN-OS swap). */
  readonly swapType?: number;
  /** Disk identifier at offset 440; random (as sfdisk) when absent. */
  readonly diskId?: number;
}

/** A disk just made: its table and swap area. */
export interface SwapDisk {
  readonly table: PartitionTable;
  readonly swap: SwapArea;
}

export type SizeCheck = { readonly ok: true } | { readonly ok: false; readonly option: "size" | "swap" | "type"; readonly message: string };

/** Whether `options` describe a disk we can make; on failure, which option is wrong and why. */
export function checkSwapDiskOptions(options: SwapDiskOptions): SizeCheck {
  const { sizeBytes, swapBytes } = options;
  const type = options.swapType ?? PARTITION_TYPE.LINUX_SWAP;
  if (!isSwapType(type)) {
    return { ok: false, option: "type", message: `swap partition type 0x${type.toString(16)} is neither 82 (Linux swap) nor e5 (EYN-OS swap)` };
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) return { ok: false, option: "size", message: "disk size must be more than zero" };
  if (sizeBytes % ALIGNMENT !== 0) return { ok: false, option: "size", message: `disk size ${sizeBytes} bytes is not a multiple of 4 KiB` };
  if (sizeBytes > MAX_DISK_BYTES) return { ok: false, option: "size", message: `disk size ${formatSize(sizeBytes)} is past the 2 TiB an MBR can describe` };
  if (!Number.isSafeInteger(swapBytes) || swapBytes <= 0) return { ok: false, option: "swap", message: "swap size must be more than zero" };
  if (swapBytes % ALIGNMENT !== 0) {
    return { ok: false, option: "swap", message: `swap size ${swapBytes} bytes is not a multiple of 4 KiB (a whole number of page slots)` };
  }
  const room = sizeBytes - SWAP_FIRST_LBA * SECTOR_SIZE;
  if (swapBytes > room) {
    return {
      ok: false,
      option: "swap",
      message: `swap ${formatSize(swapBytes)} does not fit a ${formatSize(sizeBytes)} disk (the partition starts at 1 MiB, leaving ${formatSize(Math.max(room, 0))})`,
    };
  }
  return { ok: true };
}

/** Writes an MBR holding one swap partition at LBA 2048 onto `device` (its size is the disk size). */
export function partitionSwapDisk(device: BlockDevice, options: Omit<SwapDiskOptions, "sizeBytes">): SwapDisk {
  const check = checkSwapDiskOptions({ ...options, sizeBytes: device.sectorCount * SECTOR_SIZE });
  if (!check.ok) throw new DiskFormatError(`${device.name}: ${check.message}`);
  const table = buildPartitionTable(
    options.diskId ?? randomDiskId(),
    [{ type: options.swapType ?? PARTITION_TYPE.LINUX_SWAP, firstLba: SWAP_FIRST_LBA, sectorCount: options.swapBytes / SECTOR_SIZE }],
    device.sectorCount,
    device.name,
  );
  writePartitionTable(device, table);
  return { table, swap: findSwapArea(table) as SwapArea };
}

/** A partitioned swap disk in memory (sparse: unwritten slots cost nothing). */
export function createMemorySwapDisk(options: SwapDiskOptions): SwapDisk & { readonly device: MemoryBlockDevice } {
  const check = checkSwapDiskOptions(options);
  if (!check.ok) throw new DiskFormatError(`memory: ${check.message}`);
  const device = new MemoryBlockDevice(options.sizeBytes / SECTOR_SIZE);
  return { device, ...partitionSwapDisk(device, options) };
}

/** Default sizes of the embedded swap image: 16 MiB of swap (the seed's 4,096 slots) on a 32 MiB disk. */
export const DEFAULT_SWAP_DISK: SwapDiskOptions = { sizeBytes: 32 * MIB, swapBytes: 16 * MIB };

/** A random disk identifier (as sfdisk's), 1..2^32-1. */
function randomDiskId(): number {
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word);
  while (word[0] === 0);
  return word[0];
}
