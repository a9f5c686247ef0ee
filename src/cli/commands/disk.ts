/**
 * `vmm386 disk create FILE --size 64M --swap 16M [--type 82|e5]`: a sparse
 * image whose MBR holds one swap partition at 1 MiB.
 * `vmm386 disk show FILE [--json]`: its partition table, logical partitions
 * (numbered 5, 6, ... as Linux does) included, and its swap area.
 */
import * as fs from "node:fs";
import type { Command } from "commander";
import type { Invocation } from "../io.js";
import { InputError } from "../../machine/input-error.js";
import { SECTOR_SIZE } from "../../machine/block-device.js";
import { FileBlockDevice } from "../../machine/file-block-device.js";
import { type SwapDisk, type SwapDiskOptions, buildDiskImage, checkSwapDiskOptions } from "../../machine/disk-image.js";
import { openFileOutput, type OutputKind } from "../../sim/output-file.js";
import { checkImageFree } from "../../sim/image-lock.js";
import {
  type Chs,
  type Partition,
  type PartitionTable,
  findSwapArea,
  partitionTypeName,
  readPartitionTable,
} from "../../machine/mbr.js";
import { SizeFormatError, formatSize, parseSize } from "../../machine/units.js";

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
  if (options.json) {
    inv.print(JSON.stringify(describeDisk(file, sizeBytes / SECTOR_SIZE, made.table), null, 2));
    return;
  }
  const p = made.swap.partition;
  inv.print(`created ${file}: ${formatSize(sizeBytes)} sparse image (${sizeBytes / SECTOR_SIZE} sectors), MBR disk id ${diskId(made.table)}`);
  inv.print(
    `  partition ${p.slot}: type ${typeHex(p.type)} (${partitionTypeName(p.type)}), LBA ${p.firstLba}..${lastLba(p)}, ` +
      `${formatSize(p.sectorCount * SECTOR_SIZE)} = ${made.swap.slotCount} swap slots of 4 KiB`,
  );
}

function show(inv: Invocation, file: string, json: boolean): void {
  const { table, sectors } = readDisk(file);
  if (json) {
    inv.print(JSON.stringify(describeDisk(file, sectors, table), null, 2));
    return;
  }
  inv.print(`${file}: ${formatSize(sectors * SECTOR_SIZE)} (${sectors} sectors of 512 bytes), MBR disk id ${diskId(table)}`);
  const rows = [["slot", "boot", "start", "end", "sectors", "size", "type"]];
  for (const p of table.partitions) {
    rows.push([
      String(p.slot),
      p.bootable ? "*" : "",
      String(p.firstLba),
      String(lastLba(p)),
      String(p.sectorCount),
      formatSize(p.sectorCount * SECTOR_SIZE),
      `${typeHex(p.type)} ${partitionTypeName(p.type)}`,
    ]);
  }
  if (table.partitions.length === 0) inv.print("no partitions");
  else for (const line of alignColumns(rows)) inv.print(line);
  const swap = findSwapArea(table);
  inv.print(
    swap === null
      ? "swap: none (no partition of type 82 or e5)"
      : `swap: partition ${swap.partition.slot}, ${swap.slotCount} slots of 4 KiB from LBA ${swap.firstLba}`,
  );
}

/**
 * Makes the image under a temporary name and renames it into place
 * (output-file.ts): an existing file is replaced only with --force, and
 * never while another vmm386 swaps on it.
 */
async function writeDiskImage(file: string, options: SwapDiskOptions, force: boolean): Promise<SwapDisk> {
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

/** A disk image may hold anything: no existing file is replaced without --force. */
const DISK_IMAGE: OutputKind = { noun: null, recognise: () => false };

/** The partition table and size of the image at `file`, opened read-only. */
function readDisk(file: string): { table: PartitionTable; sectors: number } {
  const device = FileBlockDevice.open(file, { readOnly: true });
  try {
    return { table: readPartitionTable(device), sectors: device.sectorCount };
  } finally {
    device.close();
  }
}

/** The JSON form of a disk for `--json`. */
function describeDisk(file: string, sectors: number, table: PartitionTable): object {
  const swap = findSwapArea(table);
  return {
    file,
    sectors,
    bytes: sectors * SECTOR_SIZE,
    diskId: diskId(table),
    partitions: table.partitions.map((p) => ({
      slot: p.slot,
      bootable: p.bootable,
      type: typeHex(p.type),
      typeName: partitionTypeName(p.type),
      firstLba: p.firstLba,
      lastLba: lastLba(p),
      sectorCount: p.sectorCount,
      bytes: p.sectorCount * SECTOR_SIZE,
      chsFirst: chs(p.chsFirst),
      chsLast: chs(p.chsLast),
    })),
    swap: swap === null ? null : { slot: swap.partition.slot, firstLba: swap.firstLba, slotCount: swap.slotCount },
  };
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

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd());
}

function lastLba(p: Partition): number {
  return p.firstLba + p.sectorCount - 1;
}

function typeHex(type: number): string {
  return type.toString(16).padStart(2, "0");
}

function diskId(table: PartitionTable): string {
  return `0x${table.diskId.toString(16).padStart(8, "0")}`;
}

function chs(c: Chs): [number, number, number] {
  return [c.cylinder, c.head, c.sector];
}
