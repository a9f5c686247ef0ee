/**
 * What `vmm386 disk` prints of an image: its partition table as a table
 * (primary and logical partitions, the swap area) or as one JSON object,
 * and the line for an image just made.
 */
import { SECTOR_SIZE } from "../machine/block-device.js";
import type { SwapDisk } from "../machine/disk-image.js";
import { type Chs, type Partition, type PartitionTable, findSwapArea, partitionTypeName } from "../machine/mbr.js";
import { formatSize } from "../machine/units.js";

/** The JSON form of a disk of `sectors` sectors for `--json`. */
export function diskJson(file: string, sectors: number, table: PartitionTable): object {
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

/** An image of `sizeBytes` just made at `file`, in two lines. */
export function diskCreatedText(file: string, sizeBytes: number, made: SwapDisk): string {
  const p = made.swap.partition;
  return (
    `created ${file}: ${formatSize(sizeBytes)} sparse image (${sizeBytes / SECTOR_SIZE} sectors), MBR disk id ${diskId(made.table)}\n` +
    `  partition ${p.slot}: type ${typeHex(p.type)} (${partitionTypeName(p.type)}), LBA ${p.firstLba}..${lastLba(p)}, ` +
    `${formatSize(p.sectorCount * SECTOR_SIZE)} = ${made.swap.slotCount} swap slots of 4 KiB`
  );
}

/** The disk's size, its partitions as a table and its swap area, one line each. */
export function diskShowText(file: string, sectors: number, table: PartitionTable): string {
  const lines = [`${file}: ${formatSize(sectors * SECTOR_SIZE)} (${sectors} sectors of 512 bytes), MBR disk id ${diskId(table)}`];
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
  if (table.partitions.length === 0) lines.push("no partitions");
  else lines.push(...alignColumns(rows));
  const swap = findSwapArea(table);
  lines.push(
    swap === null
      ? "swap: none (no partition of type 82 or e5)"
      : `swap: partition ${swap.partition.slot}, ${swap.slotCount} slots of 4 KiB from LBA ${swap.firstLba}`,
  );
  return lines.join("\n");
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
