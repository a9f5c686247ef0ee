/**
 * Options every simulation command shares (run, sweep, inspect, demo,
 * replay...): the machine (--ram, --swap, --cpu, --policy, --tlb,
 * --user-frames, --strict-tlb, --invariants, and what the loader passes:
 * --cmdline, --module), --seed, and the outputs
 * (--json, --report FILE.html). Parsing turns them into MachineSettings that
 * override a scenario's own machine; every problem is an InputError naming
 * the option.
 */
import type { Command } from "commander";
import { CPU_NAMES, type CpuName, type TlbChoice } from "../machine/cpu-model.js";
import { DEFAULT_POLICY, POLICY_NAMES } from "../kernel/replacement/index.js";
import { InputError } from "../machine/input-error.js";
import { parsePolicySpec, type PolicyChoice } from "../sim/policy-spec.js";
import { formatSize } from "../machine/units.js";
import {
  checkCpuName,
  checkInteger,
  checkRamBytes,
  checkSwapBytes,
  checkTlb,
  RAM_RANGE,
  SEED_RANGE,
  sizeValue,
  tlbOfEntries,
  USER_FRAMES_RANGE,
} from "../sim/scenario/machine-checks.js";
import { MAX_ACCESSES, MAX_OPT_ACCESSES, formatCount } from "../sim/scenario/work-estimate.js";
import { DEFAULT_CPU, DEFAULT_RAM_BYTES, DEFAULT_SWAP_BYTES } from "../sim/machine-settings.js";
import type { BootModule, MachineSettings } from "../sim/system.js";
import { requireFile } from "./errors.js";
import { DEFAULT_SWAP_LATENCY, type SwapLatency } from "../kernel/psi.js";
import { swapTicksValue, throttleValue } from "../sim/scenario/reclaim-checks.js";

/** The raw strings commander hands over. */
export interface CommonOptions {
  ram?: string;
  swap?: string;
  cpu?: string;
  policy?: string;
  tlb?: string;
  userFrames?: string;
  seed?: string;
  json?: boolean;
  report?: string;
  strictTlb?: boolean;
  invariants?: boolean;
  swapImage?: string;
  cmdline?: string;
  /** Every --module given, in order. */
  module?: string[];
  force?: boolean;
  swapReadTicks?: string;
  swapWriteTicks?: string;
  throttle?: string;
}

/** Settings being gathered, one option at a time. */
type SettingsBuilder = { -readonly [K in keyof MachineSettings]: MachineSettings[K] };

/** Adds the machine options to `cmd`. */
export function addMachineOptions(cmd: Command): Command {
  return cmd
    .option("--ram <size>", `RAM size, ${RAM_RANGE}, e.g. 4M (default: the scenario's if any, else ${formatSize(DEFAULT_RAM_BYTES)})`)
    .option("--swap <size>", `swap partition size, 0 for none (default: the scenario's if any, else ${formatSize(DEFAULT_SWAP_BYTES)})`)
    .option("--swap-image <file>", "swap on this disk image (MBR with a 0x82 or 0xE5 partition, see `vmm386 disk create`)")
    .option("--cpu <name>", `CPU preset: ${CPU_NAMES.join(", ")} (default: the scenario's if any, else ${DEFAULT_CPU})`)
    .option("--policy <spec>", `replacement policy: ${POLICY_NAMES.join(", ")}, with parameters NAME:key=value,... (vmm386 policies), or a plugin ./NAME.js (default: the scenario's if any, else ${DEFAULT_POLICY})`)
    .option("--tlb <entries[xways]|off>", "TLB entries (4-way; 1 or 2: fully associative), ENTRIESxWAYS (ways a power of two), or off (default: the CPU preset's)")
    .option("--user-frames <n>", "cap resident user pages at N (page tables not counted)")
    .option("--strict-tlb", "report every access a stale TLB entry lets through (the tables no longer allow it)")
    .option("--invariants", "run the VMM invariant checker after every operation (slow)")
    .option("--cmdline <text>", "kernel command line in the multiboot information")
    .option("--module <file[@address]>", "multiboot module FILE, at ADDRESS (hex or decimal) if given (FILE may contain @); repeatable, replaces the scenario's", collect)
    .option("--seed <n>", "seed for random access patterns")
    .option("--swap-read-ticks <t>", `ticks a process waits per page read from swap, for PSI (default ${DEFAULT_SWAP_LATENCY.readTicks}: a 7,200 rpm disk, a tick as a second)`)
    .option("--swap-write-ticks <t>", `ticks a process waits per page its reclaim writes to swap (default ${DEFAULT_SWAP_LATENCY.writeTicks})`)
    .option("--throttle <rule>", "thrashing throttle: seed (over 50 faults in 100 ticks, the default), psi (a process's own memory pressure some avg10 >= 60 %) or psi:some_avg10=PERCENT");
}

/** Adds --json, --report and --force to `cmd`. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option("--json", "print one JSON object on stdout instead of the summary")
    .option("--report <file.html>", "write a self-contained HTML report")
    .option("--force", `replace output files that are not earlier vmm386 outputs, and run more than ${formatCount(MAX_ACCESSES)} accesses (${formatCount(MAX_OPT_ACCESSES)} under opt)`);
}

/** Replaces the help text of `cmd`'s option `flag` (a command that reads a shared option its own way). */
export function describeOption(cmd: Command, flag: string, description: string): void {
  const option = cmd.options.find((o) => o.long === flag);
  if (option === undefined) throw new Error(`no option ${flag}`);
  option.description = description;
}

/** Adds every common option. */
export function addCommonOptions(cmd: Command): Command {
  return addOutputOptions(addMachineOptions(cmd));
}

/** The machine settings given on the command line (only those given). */
export function settingsFromOptions(o: CommonOptions): MachineSettings {
  const spec: SettingsBuilder = {};
  if (o.ram !== undefined) spec.ramBytes = checked(size(o.ram, "--ram"), checkRamBytes, "--ram");
  if (o.swap !== undefined && o.swapImage !== undefined) {
    throw new InputError("give --swap (the size of a temporary swap image) or --swap-image (swap on that image's partition), not both", "--swap");
  }
  if (o.swap !== undefined) spec.swapBytes = checked(size(o.swap, "--swap"), checkSwapBytes, "--swap");
  if (o.cpu !== undefined) spec.cpu = checked(o.cpu, checkCpuName, "--cpu") as CpuName;
  if (o.policy !== undefined) spec.policy = policyOption(o.policy, "--policy");
  if (o.swapReadTicks !== undefined || o.swapWriteTicks !== undefined) spec.swapLatency = swapLatencyOptions(o);
  if (o.throttle !== undefined) spec.throttle = valueOf(throttleValue(o.throttle), "--throttle");
  if (o.tlb !== undefined) spec.tlb = parseTlbOption(o.tlb);
  if (o.userFrames !== undefined) spec.userFrames = integer(o.userFrames, "--user-frames", USER_FRAMES_RANGE.min, USER_FRAMES_RANGE.max);
  if (o.seed !== undefined) spec.seed = integer(o.seed, "--seed", SEED_RANGE.min, SEED_RANGE.max);
  if (o.strictTlb) spec.strictTlb = true;
  if (o.invariants) spec.checkInvariants = true;
  if (o.swapImage !== undefined) {
    requireFile(o.swapImage);
    spec.swapImage = o.swapImage;
  }
  if (o.cmdline !== undefined) {
    spec.cmdline = o.cmdline;
    spec.bootOrigins = { cmdline: "--cmdline" };
  }
  if (o.module !== undefined) {
    spec.modules = o.module.map(parseModuleOption);
    spec.bootOrigins = { ...spec.bootOrigins, modules: spec.modules.map(() => "--module") };
  }
  return spec;
}

/** --swap-read-ticks and --swap-write-ticks, the one left out at its default. */
function swapLatencyOptions(o: CommonOptions): SwapLatency {
  const ticks = (text: string | undefined, option: string, byDefault: number): number => (text === undefined ? byDefault : valueOf(swapTicksValue(text), option));
  return {
    readTicks: ticks(o.swapReadTicks, "--swap-read-ticks", DEFAULT_SWAP_LATENCY.readTicks),
    writeTicks: ticks(o.swapWriteTicks, "--swap-write-ticks", DEFAULT_SWAP_LATENCY.writeTicks),
  };
}

/** A policy spec given to `option` (see src/sim/policy-spec.ts), or an InputError naming it. */
export function policyOption(text: string, option: string): PolicyChoice {
  const parsed = parsePolicySpec(text);
  if ("problem" in parsed) throw new InputError(parsed.problem, option);
  return parsed.choice;
}

/**
 * `--module FILE` or `--module FILE@ADDRESS`. The split is at the last @ and
 * only when what follows it is an address, so a path such as /tmp/a@b.txt is
 * kept whole. Whether the address suits a module (a page boundary above
 * 1 MiB, in free RAM) is the machine's to say when it is built; that message
 * names --module too.
 */
export function parseModuleOption(text: string): BootModule {
  const at = text.lastIndexOf("@");
  const address = at < 0 ? "" : text.slice(at + 1);
  if (!/^(?:0[xX][0-9a-fA-F]+|\d+)$/.test(address)) return { path: modulePath(text, text) };
  const n = Number(address);
  if (n > 0xffffffff) throw new InputError(`address ${address} is outside 0..0xFFFFFFFF`, "--module");
  return { path: modulePath(text.slice(0, at), text), address: n };
}

function modulePath(path: string, text: string): string {
  if (path === "") throw new InputError(`'${text}' names no file (FILE or FILE@ADDRESS)`, "--module");
  return path;
}

/** Commander's collector for a repeatable option. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--tlb 64` (4-way), `--tlb 64x8` (8-way) or `--tlb off`. */
export function parseTlbOption(text: string): TlbChoice {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "0") return "off";
  const m = /^(\d+)(?:x(\d+))?$/.exec(t);
  if (m === null) throw new InputError(`'${text}' is not a TLB size (entries, entriesxways, or off)`, "--tlb");
  const entries = Number(m[1]);
  if (m[2] === undefined) {
    const tlb = tlbOfEntries(entries);
    if (typeof tlb === "string") throw new InputError(tlb, "--tlb");
    return tlb;
  }
  const ways = Number(m[2]);
  const problem = checkTlb(entries, ways);
  if (problem !== null) throw new InputError(problem, "--tlb");
  return { entries, ways };
}

/** A checked value, or its problem as an InputError naming `option`. */
function valueOf<T>(v: T | string, option: string): T {
  if (typeof v === "string") throw new InputError(v, option);
  return v;
}

function size(text: string, option: string): number {
  const v = sizeValue(text);
  if (typeof v === "string") throw new InputError(v, option);
  return v;
}

/** `value` if `check` finds nothing wrong with it, else an InputError naming `option`. */
function checked<T>(value: T, check: (v: T) => string | null, option: string): T {
  const problem = check(value);
  if (problem !== null) throw new InputError(problem, option);
  return value;
}

/**
 * A whole number in [min, max] or an InputError naming `option` and saying
 * what it must be: the range, for a number outside it (a negative one too)
 * or for text that is no whole number (the range's phrase is machine-checks.ts's).
 */
export function integer(text: string, option: string, min: number, max: number): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new InputError(`'${text}' is not a whole number (${min} to ${max})`, option);
  return checked(Number(text), (n) => checkInteger(n, { min, max }), option);
}

/** "16,32,64" or "8..512" (doubling from the first to the last). */
export function parseFrames(text: string, option = "--frames"): number[] {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (range !== null) {
    const lo = integer(range[1], option, 1, 0x100000);
    const hi = integer(range[2], option, lo, 0x100000);
    const out: number[] = [];
    for (let n = lo; n <= hi; n *= 2) out.push(n);
    return out;
  }
  const sizes = text.split(",").map((s) => integer(s, option, 1, 0x100000));
  return [...new Set(sizes)].sort((a, b) => a - b);
}
