/** Test helper: our partition tables in the shape `sfdisk --json` prints, and sfdisk itself when installed. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import type { PartitionTable } from "../../src/machine/mbr.js";

/** test/fixtures/disk: images sfdisk made, each with its `sfdisk --json` (README.md there). */
const DISK_FIXTURES = path.join(import.meta.dirname, "../fixtures/disk");

/** The bytes of fixture `name` (stored as name.img.gz). */
export function fixtureImage(name: string): Uint8Array {
  return new Uint8Array(gunzipSync(fs.readFileSync(path.join(DISK_FIXTURES, `${name}.img.gz`))));
}

/** What `sfdisk --json` printed for fixture `name` when it was made. */
export function fixtureSfdiskJson(name: string): SfdiskJson {
  return JSON.parse(fs.readFileSync(path.join(DISK_FIXTURES, `${name}.sfdisk.json`), "utf8")) as SfdiskJson;
}

export interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  bootable?: boolean;
}

export interface SfdiskJson {
  partitiontable: { label: string; id: string; device: string; unit: string; sectorsize: number; partitions?: SfdiskPartition[] };
}

/** The parts of `sfdisk --json` that describe the table (label, id, partitions). */
export function sfdiskEssentials(json: SfdiskJson): { label: string; id: string; partitions: SfdiskPartition[] } {
  const t = json.partitiontable;
  return { label: t.label, id: t.id, partitions: t.partitions ?? [] };
}

/** `table` of `device` as sfdisk would describe it. */
export function asSfdisk(table: PartitionTable, device: string): { label: string; id: string; partitions: SfdiskPartition[] } {
  return {
    label: "dos",
    id: `0x${table.diskId.toString(16).padStart(8, "0")}`,
    partitions: table.partitions.map((p) => ({
      node: `${device}${p.slot}`,
      start: p.firstLba,
      size: p.sectorCount,
      type: p.type.toString(16),
      ...(p.bootable ? { bootable: true } : {}),
    })),
  };
}

/** Path of an sfdisk binary, or null when none is installed (PATH, then /usr/sbin and /sbin). */
export function findSfdisk(): string | null {
  for (const candidate of ["sfdisk", "/usr/sbin/sfdisk", "/sbin/sfdisk"]) {
    if (candidate.includes("/") && !fs.existsSync(candidate)) continue;
    const r = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return candidate;
  }
  return null;
}

/** `sfdisk --json FILE`, run in the file's directory so `device` is the bare file name. */
export function runSfdiskJson(sfdisk: string, dir: string, file: string): SfdiskJson {
  const r = spawnSync(sfdisk, ["--json", file], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sfdisk --json ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SfdiskJson;
}
