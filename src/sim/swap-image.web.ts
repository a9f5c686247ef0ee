/**
 * The browser's twin of swap-image.ts (the playground's build resolves
 * swap-image.js to it): there are no files, so the swap disk a System makes
 * for itself is a real MBR image in memory — the same partition table the
 * command line writes to a temporary file, and sparse, so unwritten slots
 * cost nothing. A disk identifier is fixed, so two runs of a scenario make
 * the same disk byte for byte.
 */
import { DiskFormatError } from "../machine/block-device.js";
import { createMemorySwapDisk } from "../machine/swap-disk.js";
import { MIB } from "../machine/units.js";
import type { SwapImage, SwapSource } from "./swap-image.js";

export type { SwapImage, SwapSource } from "./swap-image.js";

/** Default swap of a System's own disk: 16 MiB, the seed's 4,096 slots. */
export const DEFAULT_SWAP_BYTES = 16 * MIB;

/** The MBR and the 1 MiB gap before the swap partition. */
const PARTITION_START_BYTES = MIB;
/** The identifier written at offset 440 of every in-memory disk. */
const MEMORY_DISK_ID = 0x766d6d33;

/** The swap disk `source` describes, in memory; an image file cannot be opened in a browser. */
export function openSwapImage(source: SwapSource): SwapImage {
  if (source.device !== undefined) return { device: source.device, path: null, temporary: false, close: () => undefined };
  if (source.imagePath !== undefined) throw new DiskFormatError(`${source.imagePath}: a swap image file cannot be opened in the browser (the playground swaps on a disk in memory)`);
  const swapBytes = source.swapBytes ?? DEFAULT_SWAP_BYTES;
  if (swapBytes === 0) return { device: null, path: null, temporary: false, close: () => undefined };
  const disk = createMemorySwapDisk({ sizeBytes: PARTITION_START_BYTES + swapBytes, swapBytes, diskId: MEMORY_DISK_ID });
  return { device: disk.device, path: null, temporary: true, close: () => disk.device.close() };
}
