/**
 * A machine: RAM and devices, a CPU model with its MMU, a disk, and the
 * state a multiboot loader leaves behind — the kernel image loaded at
 * 1 MiB, modules above it, and the multiboot information in low memory —
 * ready for the kernel's boot code to read, as EYN-OS's `vmm_init` does.
 *
 * `createMachine` checks the whole description first and names what is
 * wrong in one line (MachineConfigError; RAM sizes give MemoryConfigError,
 * modules BootInfoError — all MemoryConfigErrors, which the CLI reports).
 */

import { readRegularFile } from "./host-file.js";
import type { BlockDevice } from "./block-device.js";
import { CPU_MODELS, type CpuModel, type CpuName, type TlbChoice, isCpuName } from "./cpu-model.js";
import { PAGE_SIZE, hex32 } from "./i386.js";
import {
  BIOS_ROM_HIGH,
  HIGH_MEMORY_BASE,
  type MemoryMapEntry,
  PC_LOW_RESERVED,
  type ReservedRange,
  describeRange,
  rangesOverlap,
} from "./memory-map.js";
import { Mmu } from "./mmu.js";
import { TlbShapeError, checkTlbShape } from "./tlb.js";
import {
  BOOT_INFO_AREA,
  BootInfoError,
  type FramebufferSpec,
  type KernelImage,
  type ModuleSpec,
  type MultibootInfo,
  writeMultibootInfo,
} from "./multiboot.js";
import { type DeviceRange, MemoryConfigError, PhysicalMemory, checkRamSize } from "./physical-memory.js";

/** The kernel image where GRUB loads EYN-OS: text at 1 MiB, 256 KiB of it, 512 KiB in all. */
export const DEFAULT_KERNEL_IMAGE: KernelImage = { textStart: 0x100000, textEnd: 0x140000, end: 0x180000 };

/** A module to load: a file (its path is its name) or bytes. */
export type MachineModule =
  | { readonly path: string; readonly cmdline?: string; readonly address?: number }
  | ModuleSpec;

export interface MachineDescription {
  /** RAM from address 0: 1 MiB..3 GiB in 4 KiB steps. */
  readonly ramBytes: number;
  readonly cpu: CpuName;
  /** Main TLB shape, or "off" (walk every access); default: the CPU model's. */
  readonly tlb?: TlbChoice;
  /** Check every TLB-served access against the page tables (slow). */
  readonly strictTlb?: boolean;
  /** Where the kernel image lies; default DEFAULT_KERNEL_IMAGE. */
  readonly kernel?: KernelImage;
  readonly commandLine?: string;
  readonly modules?: readonly MachineModule[];
  /** A linear framebuffer above RAM, registered as a device range. */
  readonly framebuffer?: FramebufferSpec;
  /** Extra ranges the memory map reports as reserved (type 2 unless given). */
  readonly reservedRanges?: readonly ReservedRange[];
  readonly disk?: BlockDevice;
}

export interface Machine {
  readonly description: MachineDescription;
  readonly memory: PhysicalMemory;
  readonly mmu: Mmu;
  readonly cpu: CpuModel;
  /** Physical address of the multiboot information (EBX at kernel entry). */
  readonly bootInfoAddress: number;
  /** The multiboot information as written, read back. */
  readonly bootInfo: MultibootInfo;
  readonly kernelImage: KernelImage;
  readonly framebuffer: DeviceRange | null;
  readonly disk: BlockDevice | null;
}

/** A machine description that cannot be built; the message names the field. */
export class MachineConfigError extends MemoryConfigError {
  override name = "MachineConfigError";
}

/** Checks `desc`, builds memory and MMU, loads modules and writes the boot information. */
export function createMachine(desc: MachineDescription): Machine {
  if (!isCpuName(desc.cpu)) throw new MachineConfigError(`cpu "${String(desc.cpu)}" is not one of i386, i486, pentium, p6`);
  checkRamSize(desc.ramBytes);
  const kernelImage = desc.kernel ?? DEFAULT_KERNEL_IMAGE;
  checkKernelImage(kernelImage, desc.ramBytes);
  const reserved = desc.reservedRanges ?? [];
  checkReservedRanges(reserved, kernelImage);
  if (desc.framebuffer !== undefined) checkFramebuffer(desc.framebuffer, desc.ramBytes);
  if (desc.tlb !== undefined && desc.tlb !== "off") checkTlb(desc.tlb);

  const memory = new PhysicalMemory(desc.ramBytes);
  const framebuffer = desc.framebuffer === undefined ? null : memory.addDevice("framebuffer", desc.framebuffer.addr, framebufferBytes(desc.framebuffer));
  const model = CPU_MODELS[desc.cpu];
  const mmu = new Mmu(memory, model, { tlb: desc.tlb, strict: desc.strictTlb ?? false });
  const { address, info } = writeMultibootInfo(memory, {
    ramBytes: desc.ramBytes,
    kernel: kernelImage,
    commandLine: desc.commandLine,
    modules: desc.modules?.map((m) => loadModule(m, desc.ramBytes)),
    framebuffer: desc.framebuffer,
    reservedRanges: reserved,
  });
  return {
    description: desc,
    memory,
    mmu,
    cpu: model,
    bootInfoAddress: address,
    bootInfo: info,
    kernelImage,
    framebuffer,
    disk: desc.disk ?? null,
  };
}

/** The memory map the machine reports (from its boot information). */
export function machineMemoryMap(machine: Machine): readonly MemoryMapEntry[] {
  return machine.bootInfo.mmap?.entries ?? [];
}

/** Bytes the framebuffer decodes: pitch × height rounded up to whole pages. */
export function framebufferBytes(fb: FramebufferSpec): number {
  return Math.ceil((fb.pitch * fb.height) / PAGE_SIZE) * PAGE_SIZE;
}

function loadModule(m: MachineModule, ramBytes: number): ModuleSpec {
  if ("data" in m) return m;
  return { name: m.path, data: readModuleFile(m.path, ramBytes), cmdline: m.cmdline ?? m.path, address: m.address };
}

/**
 * The file's bytes. It must be a regular file no larger than RAM, checked
 * before anything is read: /dev/zero would never end and a FIFO would wait
 * for a writer. A file that cannot be read is a bad description, said in one line.
 */
function readModuleFile(path: string, ramBytes: number): Uint8Array {
  const tooLarge = (size: number): string => `${size} bytes do not fit in ${ramBytes / 1024} KiB of RAM`;
  const bytes = readRegularFile(path, ramBytes, tooLarge);
  if (typeof bytes === "string") throw new BootInfoError(`module "${path}": ${bytes}`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Text page-aligned at or above 1 MiB, textStart < textEnd <= end, all in RAM. */
function checkKernelImage(k: KernelImage, ramBytes: number): void {
  const where = `kernel image (text ${hex32(k.textStart)}..${hex32(k.textEnd)}, end ${hex32(k.end)})`;
  if (![k.textStart, k.textEnd, k.end].every(Number.isSafeInteger)) throw new MachineConfigError(`${where}: bounds must be integers`);
  if (k.textStart < HIGH_MEMORY_BASE || k.textStart % PAGE_SIZE !== 0) {
    throw new MachineConfigError(`${where}: text must start on a page boundary at or above 1 MiB (0x00100000)`);
  }
  if (!(k.textStart < k.textEnd && k.textEnd <= k.end)) throw new MachineConfigError(`${where}: needs textStart < textEnd <= end`);
  if (k.end > ramBytes) {
    throw new MachineConfigError(`${where} does not fit in ${ramBytes / 1024} KiB of RAM (RAM ends at ${hex32(ramBytes)})`);
  }
}

/** Each range inside 4 GiB, non-empty, clear of the PC holes, the boot information, the kernel and each other. */
function checkReservedRanges(ranges: readonly ReservedRange[], kernel: KernelImage): void {
  const fixed = [
    { name: "the boot information area", ...BOOT_INFO_AREA },
    { name: "the EBDA, VGA and BIOS area", ...PC_LOW_RESERVED },
    { name: "the kernel image", base: kernel.textStart, length: kernel.end - kernel.textStart },
    { name: "the BIOS ROM", ...BIOS_ROM_HIGH },
  ];
  ranges.forEach((r, i) => {
    const where = `reservedRanges[${i}]${r.name ? ` (${r.name})` : ""}`;
    if (!Number.isSafeInteger(r.base) || !Number.isSafeInteger(r.length) || r.base < 0 || r.length <= 0) {
      throw new MachineConfigError(`${where}: base ${r.base} and length ${r.length} must be integers, length > 0`);
    }
    if (r.base + r.length > 2 ** 32) throw new MachineConfigError(`${where}: ${describeRange(r)} passes 4 GiB`);
    if (r.type !== undefined && (!Number.isInteger(r.type) || r.type < 2 || r.type > 5)) {
      throw new MachineConfigError(`${where}: type ${r.type} is not a reserved memory type (2..5)`);
    }
    const others = [...fixed, ...ranges.slice(0, i).map((o, j) => ({ name: `reservedRanges[${j}]`, ...o }))];
    for (const o of others) {
      if (rangesOverlap(r, o)) throw new MachineConfigError(`${where}: ${describeRange(r)} overlaps ${o.name} (${describeRange(o)})`);
    }
  });
}

/** A TLB shape the model can build (entries a multiple of power-of-two ways). */
function checkTlb(tlb: Exclude<TlbChoice, "off">): void {
  try {
    checkTlbShape(tlb.entries, tlb.ways, "tlb");
  } catch (e) {
    if (e instanceof TlbShapeError) throw new MachineConfigError(e.message);
    throw e;
  }
}

/** Sane geometry and a page-aligned address above RAM, below the BIOS ROM at the top of 4 GiB. */
function checkFramebuffer(fb: FramebufferSpec, ramBytes: number): void {
  const where = `framebuffer at ${hex32(fb.addr)}`;
  for (const key of ["addr", "width", "height", "pitch", "bpp"] as const) {
    if (!Number.isSafeInteger(fb[key]) || fb[key] < 0) throw new MachineConfigError(`${where}: ${key} ${fb[key]} is not a whole number`);
  }
  if (fb.width === 0 || fb.height === 0) throw new MachineConfigError(`${where}: width and height must be more than zero`);
  if (![8, 15, 16, 24, 32].includes(fb.bpp)) throw new MachineConfigError(`${where}: bpp ${fb.bpp} is not 8, 15, 16, 24 or 32`);
  // Multiboot: an EGA text framebuffer is 16 bits a cell (character and attribute bytes).
  if (fb.type === "text" && fb.bpp !== 16) throw new MachineConfigError(`${where}: bpp ${fb.bpp} is not 16, the only depth of an EGA text framebuffer`);
  const minPitch = fb.type === "text" ? fb.width * 2 : Math.ceil((fb.width * fb.bpp) / 8);
  if (fb.pitch < minPitch) throw new MachineConfigError(`${where}: pitch ${fb.pitch} is less than a line (${minPitch} bytes)`);
  if (fb.addr % PAGE_SIZE !== 0) throw new MachineConfigError(`${where}: address must be 4 KiB aligned`);
  const range = { base: fb.addr, length: framebufferBytes(fb) };
  if (fb.addr < ramBytes) {
    throw new MachineConfigError(`${where}: ${describeRange(range)} overlaps RAM (0x00000000..${hex32(ramBytes - 1)})`);
  }
  if (fb.addr + range.length > 2 ** 32) throw new MachineConfigError(`${where}: ${describeRange(range)} passes 4 GiB`);
  if (rangesOverlap(range, BIOS_ROM_HIGH)) {
    throw new MachineConfigError(`${where}: ${describeRange(range)} overlaps the BIOS ROM (${describeRange(BIOS_ROM_HIGH)})`);
  }
}
