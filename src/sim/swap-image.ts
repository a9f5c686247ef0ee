/**
 * The swap disk a System runs on: an image the user names, a device a test
 * hands in (memory, or a FaultyBlockDevice), or — the embedded default — a
 * temporary sparse image with one swap partition, created in os.tmpdir()
 * and removed on close() or, if the host exits first, on process exit.
 */

import type { BlockDevice } from "../machine/block-device.js";
import { FileBlockDevice } from "../machine/file-block-device.js";
import { createTemporaryDiskImage } from "../machine/disk-image.js";
import { MIB } from "../machine/units.js";

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
  /** The image file, or null for a device or no swap. */
  readonly path: string | null;
  readonly temporary: boolean;
  close(): void;
}

/** Default swap of the temporary image: 16 MiB, the seed's 4,096 slots. */
export const DEFAULT_SWAP_BYTES = 16 * MIB;

/** Room before the swap partition on a temporary image (the MBR's 1 MiB alignment gap). */
const PARTITION_START_BYTES = MIB;

/** Opens or creates the swap disk `source` describes. */
export function openSwapImage(source: SwapSource): SwapImage {
  if (source.device !== undefined) {
    return { device: source.device, path: null, temporary: false, close: () => undefined };
  }
  if (source.imagePath !== undefined) {
    const device = FileBlockDevice.open(source.imagePath);
    return { device, path: source.imagePath, temporary: false, close: () => device.close() };
  }
  const swapBytes = source.swapBytes ?? DEFAULT_SWAP_BYTES;
  if (swapBytes === 0) return { device: null, path: null, temporary: false, close: () => undefined };
  const image = createTemporaryDiskImage({ sizeBytes: PARTITION_START_BYTES + swapBytes, swapBytes });
  return temporary(image.path, image.device, () => image.remove());
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Wraps a temporary image so that it disappears on close(), on host exit, or
 * when the host is interrupted (the signal is raised again once the file is
 * gone, so the default action — or the next listener — still happens).
 */
function temporary(path: string, device: BlockDevice, remove: () => void): SwapImage {
  let removed = false;
  const removeOnce = (): void => {
    if (removed) return;
    removed = true;
    process.removeListener("exit", removeOnce);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    remove();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeOnce();
    process.kill(process.pid, signal);
  };
  process.on("exit", removeOnce);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return { device, path, temporary: true, close: removeOnce };
}
