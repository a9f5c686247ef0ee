/**
 * Disk image files as `vmm386 disk` makes and reads them: a new image is
 * built under a temporary name and renamed into place (output-file.ts), an
 * existing file replaced only with `force` and never while another vmm386
 * swaps on it (image-lock.ts); an image is read through a read-only device.
 */
import * as fs from "node:fs";
import { buildDiskImage, type SwapDisk, type SwapDiskOptions } from "../machine/disk-image.js";
import { FileBlockDevice } from "../machine/file-block-device.js";
import { readPartitionTable, type PartitionTable } from "../machine/mbr.js";
import { checkImageFree } from "./image-lock.js";
import { openFileOutput, type OutputKind } from "./output-file.js";

/** A disk image may hold anything: no existing file is replaced without force. */
const DISK_IMAGE: OutputKind = { noun: null, recognise: () => false };

/** Makes the image at `file` and returns its partition table and swap area. */
export async function writeDiskImage(file: string, options: SwapDiskOptions, force: boolean): Promise<SwapDisk> {
  if (fs.existsSync(file)) checkImageFree(file);
  const out = openFileOutput(file, { kind: DISK_IMAGE, force });
  try {
    const made = buildDiskImage(out.fd, file, options);
    await out.commit();
    return made;
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** The partition table and size in sectors of the image at `file`, opened read-only. */
export function readDiskImage(file: string): { table: PartitionTable; sectors: number } {
  const device = FileBlockDevice.open(file, { readOnly: true });
  try {
    return { table: readPartitionTable(device), sectors: device.sectorCount };
  } finally {
    device.close();
  }
}
