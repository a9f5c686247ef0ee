/**
 * `vmm386 disk create FILE --size 64M --swap 16M [--type 82|e5]`: a sparse
 * image whose MBR holds one swap partition at 1 MiB.
 * `vmm386 disk show FILE [--json]`: its partition table, logical partitions
 * (numbered 5, 6, ... as Linux does) included, and its swap area.
 */
import type { Command } from "commander";
import type { Invocation } from "../io.js";
import { InputError } from "../../machine/input-error.js";
import { SECTOR_SIZE } from "../../machine/block-device.js";
import { checkSwapDiskOptions } from "../../machine/disk-image.js";
import { diskCreatedText, diskJson, diskShowText } from "../../report/disk.js";
import { readDiskImage, writeDiskImage } from "../../sim/disk-file.js";
import { SizeFormatError, parseSize } from "../../machine/units.js";

interface CreateOptions {
  size: string;
  swap: string;
  type: string;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command, inv: Invocation): void {
  const disk = program.command("disk").description("Create and inspect MBR disk images with a swap partition");
  disk
    .command("create")
    .description("Write a sparse disk image whose MBR holds one swap partition at 1 MiB")
    .argument("<file>", "image file to create")
    .requiredOption("--size <size>", "whole disk size, e.g. 64M (K, M, G suffixes)")
    .requiredOption("--swap <size>", "swap partition size, a multiple of 4K, e.g. 16M")
    .option("--type <hex>", "partition type: 82 (Linux swap) or e5 (EYN-OS swap)", "82")
    .option("--force", "replace FILE if it exists")
    .option("--json", "print what was made as one JSON object")
    .action(async (file: string, options: CreateOptions) => create(inv, file, options));
  disk
    .command("show")
    .description("Print the partition table of a disk image (primary and logical partitions) and its swap area")
    .argument("<file>", "disk image")
    .option("--json", "print one JSON object")
    .action((file: string, options: { json?: boolean }) => show(inv, file, options.json ?? false));
}

async function create(inv: Invocation, file: string, options: CreateOptions): Promise<void> {
  const sizeBytes = sizeOption(options.size, "--size");
  const swapBytes = sizeOption(options.swap, "--swap");
  const swapType = typeOption(options.type);
  const check = checkSwapDiskOptions({ sizeBytes, swapBytes, swapType });
  if (!check.ok) throw new InputError(check.message, `--${check.option}`);
  const made = await writeDiskImage(file, { sizeBytes, swapBytes, swapType }, options.force === true);
  inv.print(options.json ? JSON.stringify(diskJson(file, sizeBytes / SECTOR_SIZE, made.table), null, 2) : diskCreatedText(file, sizeBytes, made));
}

function show(inv: Invocation, file: string, json: boolean): void {
  const { table, sectors } = readDiskImage(file);
  inv.print(json ? JSON.stringify(diskJson(file, sectors, table), null, 2) : diskShowText(file, sectors, table));
}

function sizeOption(text: string, option: string): number {
  try {
    return parseSize(text);
  } catch (e) {
    if (e instanceof SizeFormatError) throw new InputError(e.message, option);
    throw e;
  }
}

function typeOption(text: string): number {
  const m = /^(?:0x)?([0-9a-f]{1,2})$/i.exec(text.trim());
  const type = m === null ? NaN : parseInt(m[1], 16);
  if (type !== 0x82 && type !== 0xe5) {
    throw new InputError(`"${text}" is not a swap partition type (82 for Linux swap, e5 for EYN-OS swap)`, "--type");
  }
  return type;
}

