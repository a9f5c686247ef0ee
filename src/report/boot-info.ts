/**
 * The boot view of `vmm386 inspect`: the multiboot information as the
 * kernel reads it from simulated memory (the machine's reader, which honours
 * the flag bits: a field whose bit is clear is absent), as plain data for
 * --json and as text.
 */

import { hex32 } from "../machine/i386.js";
import { MEMORY_TYPE, describeRange, hexAddress } from "../machine/memory-map.js";
import { FRAMEBUFFER_TYPE, MULTIBOOT_INFO, readMultibootInfo, type FramebufferInfo } from "../machine/multiboot.js";
import type { PhysicalMemory } from "../machine/physical-memory.js";

export interface BootInfoView {
  /** Physical address of the structure (EBX at kernel entry). */
  readonly address: number;
  readonly flags: number;
  /** The flag bits set, by their multiboot.h names (memory, cmdline, mods, mem_map, ...); "bit N" for others. */
  readonly flagNames: readonly string[];
  /** KiB below 1 MiB and from 1 MiB up to the first hole. */
  readonly memLower?: number;
  readonly memUpper?: number;
  readonly cmdline?: string;
  readonly bootLoaderName?: string;
  readonly memoryMap?: readonly { readonly base: number; readonly length: number; readonly type: number; readonly typeName: string }[];
  /** [start, end) in physical memory, and the module's string. */
  readonly modules?: readonly { readonly start: number; readonly end: number; readonly string: string }[];
  readonly framebuffer?: FramebufferInfo & { readonly typeName: string };
}

/** The multiboot information at `address` in `memory`, read as the kernel reads it. */
export function bootInfoView(memory: PhysicalMemory, address: number): BootInfoView {
  const mbi = readMultibootInfo(memory, address);
  const fb = mbi.framebuffer;
  return {
    address,
    flags: mbi.flags,
    flagNames: flagNames(mbi.flags),
    memLower: mbi.memLower,
    memUpper: mbi.memUpper,
    cmdline: mbi.cmdline?.text,
    bootLoaderName: mbi.bootLoaderName?.text,
    memoryMap: mbi.mmap?.entries.map((e) => ({ base: e.base, length: e.length, type: e.type, typeName: nameOf(MEMORY_TYPE, e.type) })),
    modules: mbi.mods?.modules.map((m) => ({ start: m.start, end: m.end, string: m.cmdline })),
    framebuffer: fb === undefined ? undefined : { ...fb, typeName: nameOf(FRAMEBUFFER_TYPE, fb.type) },
  };
}

/** The view as text, one field a line, in the structure's order. */
export function formatBootInfo(v: BootInfoView): string {
  const lines = [`boot information at ${hex32(v.address)}`, `flags       ${hex32(v.flags)} (${v.flagNames.join(", ")})`];
  if (v.memLower !== undefined && v.memUpper !== undefined) lines.push(`mem_lower   ${v.memLower} KiB`, `mem_upper   ${v.memUpper} KiB`);
  if (v.cmdline !== undefined) lines.push(`cmdline     ${JSON.stringify(v.cmdline)}`);
  if (v.modules !== undefined) {
    lines.push(`modules     ${v.modules.length}`);
    v.modules.forEach((m, i) => lines.push(`  ${i}  mod_start ${hex32(m.start)}  mod_end ${hex32(m.end)}  ${m.end - m.start} bytes  ${JSON.stringify(m.string)}`));
  }
  if (v.memoryMap !== undefined) {
    lines.push(`memory map  ${v.memoryMap.length} entries`);
    for (const e of v.memoryMap) lines.push(`  ${describeRange(e)}  ${e.type} ${e.typeName}`);
  }
  if (v.bootLoaderName !== undefined) lines.push(`boot loader ${JSON.stringify(v.bootLoaderName)}`);
  if (v.framebuffer !== undefined) {
    const fb = v.framebuffer;
    lines.push(`framebuffer ${hexAddress(fb.addr)}, ${fb.width}x${fb.height}, ${fb.bpp} bpp, pitch ${fb.pitch}, ${fb.typeName}${colours(fb)}`);
  }
  return lines.join("\n") + "\n";
}

/** Set bits of `flags` by name (MULTIBOOT_INFO's keys, lower case). */
function flagNames(flags: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((flags & (1 << bit)) === 0) continue;
    const name = Object.entries(MULTIBOOT_INFO).find(([, mask]) => mask === 1 << bit)?.[0];
    names.push(name === undefined ? `bit ${bit}` : name.toLowerCase());
  }
  return names;
}

/** The lower-case key of `value` in a constants table, or "type N". */
function nameOf(table: Readonly<Record<string, number>>, value: number): string {
  const name = Object.entries(table).find(([, v]) => v === value)?.[0];
  return name === undefined ? `type ${value}` : name.toLowerCase();
}

/** " (red 16/8, green 8/8, blue 0/8)": field position / mask size of an RGB framebuffer. */
function colours(fb: NonNullable<BootInfoView["framebuffer"]>): string {
  if (fb.type !== FRAMEBUFFER_TYPE.RGB) return "";
  const [rp, rs, gp, gs, bp, bs] = fb.colorInfo;
  return ` (red ${rp}/${rs}, green ${gp}/${gs}, blue ${bp}/${bs})`;
}
