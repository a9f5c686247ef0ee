/**
 * The swap disk a System runs on: an image the user names (locked while in
 * use, image-lock.ts, and never removed), a device a test hands in (memory,
 * or a FaultyBlockDevice), or — the embedded default — a temporary sparse
 * image with one swap partition, created in os.tmpdir() and unlinked as
 * soon as it is open (disk-image.ts): nothing is left behind, whether the
 * run ends, is interrupted or is killed outright.
 */

import type { BlockDevice } from "../machine/block-device.js";
import { FileBlockDevice } from "../machine/file-block-device.js";
import { createTemporaryDiskImage } from "../machine/disk-image.js";
import { MIB } from "../machine/units.js";
import { lockImage, type ImageLock } from "./image-lock.js";
import { DEFAULT_SWAP_BYTES } from "./machine-settings.js";

/** Where the swap area comes from; the first one given wins. */
export interface SwapSource {
  /** A device holding an MBR with a 0x82/0xE5 partition (tests: memory, faulty). Not closed by us. */
  readonly device?: BlockDevice;
  /** Path of an existing partitioned image, opened read-write and left in place. */
  readonly imagePath?: string;
  /** Size of the swap partition of a temporary image (0: no swap at all). */
  readonly swapBytes?: number;
}

/** An open swap disk; `close()` releases it (and deletes it if temporary). */
export interface SwapImage {
  /** null when the system runs without swap. */
  readonly device: BlockDevice | null;
  /** The user's image file, or null for a device, a temporary image (unlinked already) or no swap. */
  readonly path: string | null;
  readonly temporary: boolean;
  close(): void;
}


/** Room before the swap partition on a temporary image (the MBR's 1 MiB alignment gap). */
const PARTITION_START_BYTES = MIB;

/** Opens or creates the swap disk `source` describes. */
export function openSwapImage(source: SwapSource): SwapImage {
  if (source.device !== undefined) {
    return { device: source.device, path: null, temporary: false, close: () => undefined };
  }
  if (source.imagePath !== undefined) return lockedImage(source.imagePath);
  const swapBytes = source.swapBytes ?? DEFAULT_SWAP_BYTES;
  if (swapBytes === 0) return { device: null, path: null, temporary: false, close: () => undefined };
  const image = createTemporaryDiskImage({ sizeBytes: PARTITION_START_BYTES + swapBytes, swapBytes });
  return { device: image.device, path: null, temporary: true, close: () => image.close() };
}

/** The user's image, opened read-write under its lock (image-lock.ts): no other vmm386 swaps on it meanwhile. */
function lockedImage(path: string): SwapImage {
  const device = FileBlockDevice.open(path);
  let lock: ImageLock;
  try {
    lock = lockImage(path);
  } catch (e) {
    device.close();
    throw e;
  }
  const close = (): void => {
    device.close();
    lock.release();
  };
  return { device, path, temporary: false, close };
}
