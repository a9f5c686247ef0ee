/**
 * Swap disk images on the host: an MBR with one swap partition (swap-disk.ts)
 * on a sparse image file (ftruncate, so a 64 MiB image costs a few KiB of
 * host disk) or a temporary file. Disks in memory, which need no host, are
 * made by swap-disk.ts.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DiskFormatError, SECTOR_SIZE } from "./block-device.js";
import { FileBlockDevice } from "./file-block-device.js";
import { SWAP_FIRST_LBA, type SwapDisk, type SwapDiskOptions, checkSwapDiskOptions, partitionSwapDisk } from "./swap-disk.js";

export {
  DEFAULT_SWAP_DISK,
  SWAP_FIRST_LBA,
  checkSwapDiskOptions,
  createMemorySwapDisk,
  partitionSwapDisk,
  type SizeCheck,
  type SwapDisk,
  type SwapDiskOptions,
} from "./swap-disk.js";

/**
 * Makes the sparse image in the open regular file `fd` (`name` in messages):
 * sets its size and partitions it. The descriptor stays open.
 */
export function buildDiskImage(fd: number, name: string, options: SwapDiskOptions): SwapDisk {
  const check = checkSwapDiskOptions(options);
  if (!check.ok) throw new DiskFormatError(`${name}: ${check.message}`);
  fs.ftruncateSync(fd, options.sizeBytes);
  const device = FileBlockDevice.borrow(fd, name, options.sizeBytes / SECTOR_SIZE);
  try {
    return partitionSwapDisk(device, options);
  } finally {
    device.close();
  }
}

/**
 * Creates the sparse image file `file` (refusing to replace an existing file
 * unless `overwrite`) and partitions it; the device is closed afterwards.
 */
export function createDiskImage(file: string, options: SwapDiskOptions & { readonly overwrite?: boolean }): SwapDisk {
  const check = checkSwapDiskOptions(options);
  if (!check.ok) throw new DiskFormatError(`${file}: ${check.message}`);
  const fd = fs.openSync(file, options.overwrite ? "w+" : "wx+");
  try {
    return buildDiskImage(fd, file, options);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A swap image made in a fresh temporary directory and unlinked (directory
 * too) as soon as it is open: its blocks live on while the descriptor does,
 * and nothing is left behind however the process ends, even by SIGKILL.
 * `close()` releases it, and with it the blocks.
 */
export interface TemporaryDiskImage extends SwapDisk {
  /** Where it was made (no longer there). */
  readonly path: string;
  readonly device: FileBlockDevice;
  close(): void;
}

/** Creates, opens and partitions a temporary swap image (the default when no image is given). */
export function createTemporaryDiskImage(options: SwapDiskOptions): TemporaryDiskImage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-"));
  const file = path.join(dir, "swap.img");
  try {
    const disk = createDiskImage(file, options);
    // Just made sparse, and only the MBR written: the swap partition reads as zeros.
    const device = FileBlockDevice.open(file, { zeroFromLba: SWAP_FIRST_LBA });
    return { ...disk, path: file, device, close: () => device.close() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
