/**
 * What a System is built from: the machine, swap and kernel options a user
 * chooses (MachineSettings), and what only a program can add (SystemConfig).
 * Types only, so that settings can be read and merged (machine-settings.ts)
 * without loading the System.
 */
import type { FramebufferSpec } from "../machine/multiboot.js";
import type { CpuName, TlbChoice } from "../machine/cpu-model.js";
import type { BlockDevice } from "../machine/block-device.js";
import type { SwapLatency, ThrottleRule } from "../kernel/vmm.js";
import type { FutureKnowledge } from "../kernel/replacement/index.js";
import type { PolicyChoice } from "./policy-spec.js";

/**
 * The machine, its swap and the kernel's options as a user chooses them (a
 * scenario's `machine`, command-line options): every setting optional, the
 * System's default standing for any left out (sim/machine-settings.ts).
 */
export interface MachineSettings {
  /** RAM, bytes (1 MiB..3 GiB, a multiple of 4 KiB). */
  readonly ramBytes?: number;
  /** Swap partition of the temporary image (default 16 MiB; 0 = no swap). Ignored with swapImage/swapDevice. */
  readonly swapBytes?: number;
  /** Path of an existing partitioned image to swap on (left in place). */
  readonly swapImage?: string;
  /** CPU preset (default i486). */
  readonly cpu?: CpuName;
  /** Replacement policy, with its parameters or as a loaded plugin (default clock). */
  readonly policy?: PolicyChoice;
  /** Ticks a process waits per page read from and written to swap (PSI); default DEFAULT_SWAP_LATENCY. */
  readonly swapLatency?: SwapLatency;
  /** The thrashing throttle's rule: the seed's (default) or PSI's some avg10 threshold. */
  readonly throttle?: ThrottleRule;
  /** TLB shape, or "off" (default: the CPU preset's). */
  readonly tlb?: TlbChoice;
  /** Report every access served by a stale TLB entry. */
  readonly strictTlb?: boolean;
  /** Cap on resident user pages (page tables not counted). */
  readonly userFrames?: number;
  /**
   * Run the kernel's invariant checker after every kernel operation (tests):
   * a violation is a kernel bug and throws InvariantError, like DEBUG_VM's BUG().
   */
  readonly checkInvariants?: boolean;
  /** Seed of anything random in the run (recorded for reports). */
  readonly seed?: number;
  /**
   * The pid limit, as Linux's pid_max (default 32,768): at most pidMax - 1
   * processes exist at once. Pids are never reused, so the limit counts
   * live processes, as Linux's does once its pids wrap around.
   */
  readonly pidMax?: number;
  /** The kernel command line the loader passes in the multiboot information. */
  readonly cmdline?: string;
  /** Files the loader puts in RAM as multiboot modules, in this order. */
  readonly modules?: readonly BootModule[];
  /** A linear framebuffer above RAM, described in the multiboot information. */
  readonly framebuffer?: FramebufferSpec;
  /** Where cmdline, modules and framebuffer were given, so that the machine's refusal of one names its place. */
  readonly bootOrigins?: BootOrigins;
}

/** What to build: the settings with RAM given, and what only a program can hand in (a device, OPT's oracle). */
export interface SystemConfig extends MachineSettings {
  /** RAM, bytes (1 MiB..3 GiB, a multiple of 4 KiB). */
  readonly ramBytes: number;
  /** A device to swap on (tests: memory, or a FaultyBlockDevice); the caller closes it. */
  readonly swapDevice?: BlockDevice;
  /** Next-use oracle for the OPT policy (trace replay). */
  readonly future?: FutureKnowledge;
  /** Track at most this much RAM (the seed's 128 MiB cap, as an option); default all RAM. */
  readonly maxTrackedRamBytes?: number;
}

/** A file the loader puts in RAM as a multiboot module. */
export interface BootModule {
  readonly path: string;
  /** Physical load address, a page boundary at or above 1 MiB; default: the first free page above the kernel and the modules before it. */
  readonly address?: number;
  /** The module's string in the multiboot information (default: its path). */
  readonly cmdline?: string;
}

/** Places for messages (`x.yaml:7: machine.modules[1]`, `--module`), one per setting given. */
export interface BootOrigins {
  readonly cmdline?: string;
  /** One per module, in the order of SystemConfig.modules. */
  readonly modules?: readonly string[];
  readonly framebuffer?: string;
}
