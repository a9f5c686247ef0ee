/**
 * Byte sizes as people type them: "64M", "16MiB", "4096", "1G". Suffixes are
 * binary (K = 1024), as in sfdisk, truncate and qemu-img. Shared by every
 * option that takes a size (--size, --swap, --ram).
 */

import { InputError } from "./input-error.js";

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;

/** A size string that is not a byte count. */
export class SizeFormatError extends InputError {
  override name = "SizeFormatError";
}

const MULTIPLIERS: Readonly<Record<string, number>> = { "": 1, K: KIB, M: MIB, G: GIB, T: 1024 * GIB };
const SIZE_PATTERN = /^(\d+)\s*(?:([KMGT])(?:I?B)?|B)?$/i;

/**
 * Parses "16M" into 16777216. Accepts a whole number with an optional K, M, G
 * or T suffix (optionally followed by "iB"/"B"), case-insensitive; throws
 * `SizeFormatError` for anything else or for a size past 2^53.
 */
export function parseSize(text: string): number {
  const match = SIZE_PATTERN.exec(text.trim());
  if (match === null) {
    throw new SizeFormatError(`"${text}" is not a size (expected a whole number with an optional K, M or G suffix)`);
  }
  const unit = (match[2] ?? "").toUpperCase();
  const bytes = Number(match[1]) * MULTIPLIERS[unit];
  if (!Number.isSafeInteger(bytes)) throw new SizeFormatError(`size "${text}" is too large`);
  return bytes;
}

/** Formats a byte count the way `parseSize` reads it back: "64M", "1536K", "513". */
export function formatSize(bytes: number): string {
  for (const [unit, m] of [["T", 1024 * GIB], ["G", GIB], ["M", MIB], ["K", KIB]] as const) {
    if (bytes >= m && bytes % m === 0) return `${bytes / m}${unit}`;
  }
  return String(bytes);
}
