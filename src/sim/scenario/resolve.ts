/**
 * From schema-valid scenario data to a runnable `Scenario`: sizes and
 * addresses to numbers, pattern defaults filled in, `repeat` kept as a block, and
 * the checks a schema cannot express (RAM in range, a fork naming a listed
 * process, every process reachable). Each error names its file line.
 */
import { folderOf, joinPath } from "../host-path.js";
import { PAGE_SIZE, PTE } from "../../machine/i386.js";
import type { FramebufferSpec } from "../../machine/multiboot.js";
import { KERNEL_BASE, USER_CODE_BASE, USER_HEAP_BASE, USER_SHARED_BASE, USER_STACK_TOP } from "../../kernel/layout.js";
import { parseSize } from "../../machine/units.js";
import { resolvePattern, type PatternName, type AccessMode } from "../workload/patterns.js";
import { checkRamBytes, checkSwapBytes, checkTlb, checkUserFrames, checkWays, sizeValue, tlbOfEntries } from "./machine-checks.js";
import { pageAlignmentProblem } from "../system-checks.js";
import { formatKeyPath, type KeyPath } from "./positions.js";
import { parsePolicySpec } from "../policy-spec.js";
import type { CpuName, TlbChoice } from "../../machine/cpu-model.js";
import type { BootModule, BootOrigins, MachineSettings } from "../system.js";
import { ScenarioError, type Block, type ProcessSpec, type Scenario, type Step, type StepOrigin } from "./types.js";

/** Settings being gathered, one key at a time. */
type SettingsBuilder = { -readonly [K in keyof MachineSettings]: MachineSettings[K] };

type Size = number | string;
type Address = number | string;
/** A physical address: a number, or hex or decimal text. */
type PhysicalAddress = number | string;

/** The shape the JSON Schema admits (schema/scenario.schema.json). */
export interface RawScenario {
  name?: string;
  description?: string;
  machine?: {
    ram?: Size;
    swap?: Size;
    cpu?: CpuName;
    policy?: string;
    tlb?: "off" | number | { entries: number; ways?: number };
    userFrames?: number;
    strictTlb?: boolean;
    invariants?: boolean;
    seed?: number;
    pidMax?: number;
    cmdline?: string;
    modules?: { file: string; address?: PhysicalAddress; cmdline?: string }[];
    framebuffer?: { address: PhysicalAddress; width: number; height: number; bpp: number; pitch?: number; type?: "rgb" | "text" };
  };
  ticksPerRound?: number;
  sampleEvery?: number | "tick";
  processes: { name: string; steps: RawStep[] }[];
}

interface RawTouch {
  at: Address;
  length: Size;
  pattern?: PatternName;
  access?: AccessMode;
  writeRatio?: number;
  stride?: Size;
  count?: number;
  loops?: number;
  hotFraction?: number;
  hotProbability?: number;
  size?: number;
  seed?: number;
}

type PteBit = "present" | "writable" | "user" | "accessed" | "dirty";

export interface RawStep {
  brk?: Address;
  mmap?: { at: Address; length: Size; prot?: "r" | "rw" };
  munmap?: { at: Address; length: Size };
  touch?: RawTouch;
  fork?: string;
  exit?: number;
  copyOut?: { at: Address; length?: Size; text?: string };
  tick?: number;
  switch?: string;
  yield?: null;
  repeat?: { times: number; steps: RawStep[] };
  pokePte?: { at: Address; clear?: PteBit[]; set?: PteBit[] };
}

/** Bytes of user space (USER_CODE_BASE up to the stack top): no copyOut is longer. */
const USER_SPACE_BYTES = USER_STACK_TOP - USER_CODE_BASE;

const BASES: Readonly<Record<string, number>> = {
  code: USER_CODE_BASE,
  heap: USER_HEAP_BASE,
  shared: USER_SHARED_BASE,
  stack: USER_STACK_TOP,
};

const PTE_BITS: Readonly<Record<PteBit, number>> = {
  present: PTE.PRESENT,
  writable: PTE.RW,
  user: PTE.USER,
  accessed: PTE.ACCESSED,
  dirty: PTE.DIRTY,
};

/** Returns the `file:line: key.path` prefix of an error at `path`. */
export type Locate = (path: KeyPath) => string;

/** Turns schema-valid data into a Scenario, or throws ScenarioError. */
export function resolveScenario(raw: RawScenario, file: string, locate: Locate): Scenario {
  const fail = (path: KeyPath, detail: string): never => {
    throw new ScenarioError(locate(path), detail);
  };
  const machine = resolveMachine(raw.machine ?? {}, file, locate, fail);
  const names = new Set<string>();
  raw.processes.forEach((p, i) => {
    if (names.has(p.name)) fail(["processes", i, "name"], `process name '${p.name}' is used twice`);
    names.add(p.name);
  });
  const forkedBy = new Map<string, string>();
  const processes: ProcessSpec[] = raw.processes.map((p, i) => {
    const ctx: StepContext = { fail, locate, names, forkedBy, owner: p.name };
    return { name: p.name, forkedBy: null, steps: resolveSteps(p.steps, ["processes", i, "steps"], ctx) };
  });
  const withParents = processes.map((p) => ({ ...p, forkedBy: forkedBy.get(p.name) ?? null }));
  checkReachable(withParents, (name) => fail(["processes", withParents.findIndex((p) => p.name === name)], `process '${name}' is never created (its forks form a cycle)`));
  return {
    file,
    name: raw.name ?? file,
    description: raw.description ?? "",
    machine,
    ticksPerRound: raw.ticksPerRound ?? 1,
    sampleEvery: raw.sampleEvery,
    processes: withParents,
  };
}

type Fail = (path: KeyPath, detail: string) => never;

type RawMachine = NonNullable<RawScenario["machine"]>;

function resolveMachine(m: RawMachine, file: string, locate: Locate, fail: Fail): MachineSettings {
  const spec: SettingsBuilder = {};
  const at = (key: string): KeyPath => ["machine", key];
  if (m.ram !== undefined) {
    spec.ramBytes = bytes(m.ram, at("ram"), fail);
    const problem = checkRamBytes(spec.ramBytes);
    if (problem) fail(at("ram"), problem);
  }
  if (m.swap !== undefined) {
    spec.swapBytes = bytes(m.swap, at("swap"), fail);
    const problem = checkSwapBytes(spec.swapBytes);
    if (problem) fail(at("swap"), problem);
  }
  if (m.cpu !== undefined) spec.cpu = m.cpu;
  if (m.policy !== undefined) {
    const parsed = parsePolicySpec(m.policy, folderOf(file));
    if ("problem" in parsed) fail(at("policy"), parsed.problem);
    spec.policy = parsed.choice;
  }
  if (m.tlb !== undefined) spec.tlb = resolveTlb(m.tlb, at("tlb"), fail);
  if (m.userFrames !== undefined) {
    const problem = checkUserFrames(m.userFrames);
    if (problem) fail(at("userFrames"), problem);
    spec.userFrames = m.userFrames;
  }
  if (m.strictTlb !== undefined) spec.strictTlb = m.strictTlb;
  if (m.invariants !== undefined) spec.checkInvariants = m.invariants;
  if (m.seed !== undefined) spec.seed = m.seed;
  if (m.pidMax !== undefined) spec.pidMax = m.pidMax;
  return { ...spec, ...resolveBoot(m, file, locate, fail) };
}

/**
 * The command line, modules (files relative to the scenario's folder) and
 * framebuffer, each with its place: whether a module fits, or a framebuffer
 * clears RAM, depends on the machine it finally runs on, which the machine
 * checks when it is built (System.create names the place then).
 */
function resolveBoot(m: RawMachine, file: string, locate: Locate, fail: Fail): MachineSettings {
  const spec: SettingsBuilder = {};
  const origins: { -readonly [K in keyof BootOrigins]: BootOrigins[K] } = {};
  const at = (...key: (string | number)[]): KeyPath => ["machine", ...key];
  if (m.cmdline !== undefined) {
    spec.cmdline = m.cmdline;
    origins.cmdline = locate(at("cmdline"));
  }
  if (m.modules !== undefined) {
    spec.modules = m.modules.map((mod, i): BootModule => {
      const path = joinPath(folderOf(file), mod.file);
      const address = mod.address === undefined ? undefined : physicalAddress(mod.address, at("modules", i, "address"), fail);
      // The module's string is what the scenario says, wherever the scenario is run from (as in a GRUB menu entry).
      return { path, address, cmdline: mod.cmdline ?? mod.file };
    });
    origins.modules = m.modules.map((_, i) => locate(at("modules", i)));
  }
  if (m.framebuffer !== undefined) {
    spec.framebuffer = resolveFramebuffer(m.framebuffer, at("framebuffer"), fail);
    origins.framebuffer = locate(at("framebuffer"));
  }
  if (Object.keys(origins).length > 0) spec.bootOrigins = origins;
  return spec;
}

/** The framebuffer with its pitch defaulting to one whole line (two bytes a character cell in text mode). */
function resolveFramebuffer(fb: NonNullable<RawMachine["framebuffer"]>, path: KeyPath, fail: Fail): FramebufferSpec {
  const type = fb.type ?? "rgb";
  const line = type === "text" ? fb.width * 2 : Math.ceil((fb.width * fb.bpp) / 8);
  return { addr: physicalAddress(fb.address, [...path, "address"], fail), width: fb.width, height: fb.height, bpp: fb.bpp, pitch: fb.pitch ?? line, type };
}

/** A physical address from a number or hex or decimal text (the schema admits only those forms). */
function physicalAddress(value: PhysicalAddress, path: KeyPath, fail: Fail): number {
  const n = Number(value);
  if (n > 0xffffffff) fail(path, `address ${String(value).trim()} is outside 0..0xFFFFFFFF`);
  return n;
}

/** `off`, an entry count (4-way, see tlbOfEntries) or {entries, ways}; problems at the key the user wrote. */
function resolveTlb(tlb: NonNullable<RawMachine["tlb"]>, path: KeyPath, fail: Fail): TlbChoice {
  if (tlb === "off") return "off";
  if (typeof tlb === "number" || tlb.ways === undefined) {
    const choice = tlbOfEntries(typeof tlb === "number" ? tlb : tlb.entries);
    return typeof choice === "string" ? fail(path, choice) : choice;
  }
  const ways = checkWays(tlb.ways);
  if (ways !== null) fail([...path, "ways"], ways);
  const problem = checkTlb(tlb.entries, tlb.ways);
  if (problem !== null) fail(path, problem);
  return { entries: tlb.entries, ways: tlb.ways };
}

interface StepContext {
  readonly fail: Fail;
  readonly locate: Locate;
  readonly names: ReadonlySet<string>;
  readonly forkedBy: Map<string, string>;
  readonly owner: string;
}

/** The resolved `raw` steps, each repeat a block of its own resolved steps (the schema bounds its count). */
function resolveSteps(raw: RawStep[], path: KeyPath, ctx: StepContext): Block[] {
  return raw.map((step, i): Block => {
    const here = [...path, i];
    if (step.repeat === undefined) return resolveStep(step, here, ctx);
    const steps = resolveSteps(step.repeat.steps, [...here, "repeat", "steps"], ctx);
    return { ...stepOrigin(here, ctx), kind: "repeat", times: step.repeat.times, steps };
  });
}

/** Where the step at `path` was written. */
function stepOrigin(path: KeyPath, ctx: StepContext): StepOrigin {
  return { line: lineFromWhere(ctx.locate(path)), path: formatKeyPath(path) };
}

/** One step (not `repeat`) with its origin. */
function resolveStep(step: RawStep, path: KeyPath, ctx: StepContext): Step {
  const origin = stepOrigin(path, ctx);
  const fail = ctx.fail;
  const key = Object.keys(step)[0] as keyof RawStep;
  const sub = (k: string): KeyPath => [...path, key, k];
  switch (key) {
    case "brk":
      return resolveBrk(step.brk as Address, [...path, key], origin, fail);
    case "mmap": {
      const m = step.mmap!;
      const at = pageAddress(m.at, sub("at"), fail);
      const length = rangeLength(at, m.length, sub("length"), fail);
      return { ...origin, kind: "mmap", at, length, writable: (m.prot ?? "rw") === "rw" };
    }
    case "munmap": {
      const m = step.munmap!;
      const at = pageAddress(m.at, sub("at"), fail);
      return { ...origin, kind: "munmap", at, length: rangeLength(at, m.length, sub("length"), fail) };
    }
    case "touch":
      return resolveTouch(step.touch!, path, origin, fail);
    case "fork":
      return resolveFork(step.fork!, [...path, key], origin, ctx);
    case "exit":
      return { ...origin, kind: "exit", status: step.exit! };
    case "copyOut":
      return resolveCopyOut(step.copyOut!, [...path, key], origin, fail);
    case "tick":
      return { ...origin, kind: "tick", ticks: step.tick! };
    case "switch": {
      const target = step.switch!;
      if (!ctx.names.has(target)) fail([...path, key], `no process named '${target}' is listed under processes`);
      return { ...origin, kind: "switch", target };
    }
    case "pokePte":
      return resolvePokePte(step.pokePte!, [...path, key], origin, fail);
    default:
      return { ...origin, kind: "yield" };
  }
}

/** `brk: ADDRESS` moves the break to it; `brk: +SIZE` or `-SIZE` moves it by that much. */
function resolveBrk(v: Address, path: KeyPath, origin: StepOrigin, fail: Fail): Step {
  if (typeof v === "string" && /^\s*[+-]/.test(v)) {
    const magnitude = bytes(v.trim().slice(1).trim(), path, fail);
    return { ...origin, kind: "brk", to: null, delta: v.trim().startsWith("-") ? -magnitude : magnitude };
  }
  return { ...origin, kind: "brk", to: address(v, path, fail), delta: 0 };
}

/** A fork of a listed process other than the owner, which no other process forks. */
function resolveFork(child: string, path: KeyPath, origin: StepOrigin, ctx: StepContext): Step {
  if (!ctx.names.has(child)) ctx.fail(path, `no process named '${child}' is listed under processes`);
  if (child === ctx.owner) ctx.fail(path, `process '${child}' cannot fork itself`);
  const earlier = ctx.forkedBy.get(child);
  if (earlier !== undefined && earlier !== ctx.owner) ctx.fail(path, `process '${child}' is already forked by '${earlier}'`);
  ctx.forkedBy.set(child, ctx.owner);
  return { ...origin, kind: "fork", child };
}

/** A copy into user space of `text`, or of `length` bytes made as they are copied. */
function resolveCopyOut(c: NonNullable<RawStep["copyOut"]>, path: KeyPath, origin: StepOrigin, fail: Fail): Step {
  const sub = (k: string): KeyPath => [...path, k];
  const at = address(c.at, sub("at"), fail);
  // The bytes of a `length` are made as they are copied (runner.ts): a scenario of a few lines stays a few bytes.
  const text = c.text === undefined ? null : new TextEncoder().encode(c.text);
  const length = text !== null ? text.length : c.length === undefined ? 0 : bytes(c.length, sub("length"), fail);
  if (length === 0) fail(path, "copyOut needs a non-empty `text` or `length`");
  if (length > USER_SPACE_BYTES) fail(sub(text !== null ? "text" : "length"), `${length} bytes is more than user space holds (${USER_SPACE_BYTES} bytes)`);
  rangeLength(at, length, sub("at"), fail);
  return { ...origin, kind: "copyOut", at, length, text };
}

/** Bits to clear and set in a user PTE, as masks. */
function resolvePokePte(p: NonNullable<RawStep["pokePte"]>, path: KeyPath, origin: StepOrigin, fail: Fail): Step {
  const mask = (bits: PteBit[] | undefined): number => (bits ?? []).reduce((m, b) => m | PTE_BITS[b], 0);
  const at = address(p.at, [...path, "at"], fail);
  if (at >= KERNEL_BASE) fail([...path, "at"], `pokePte changes user PTEs only; ${hex(at)} is in the kernel half`);
  return { ...origin, kind: "pokePte", at, clear: mask(p.clear), set: mask(p.set) };
}

function resolveTouch(t: RawTouch, path: KeyPath, origin: StepOrigin, fail: Fail): Step {
  const sub = (k: string): KeyPath => [...path, "touch", k];
  const at = address(t.at, sub("at"), fail);
  const length = rangeLength(at, t.length, sub("length"), fail);
  const size = t.size ?? 4;
  if (length < size) fail(sub("length"), `a range of ${length} bytes is shorter than one ${size}-byte access`);
  const stride = t.stride === undefined ? undefined : bytes(t.stride, sub("stride"), fail);
  if (stride === 0) fail(sub("stride"), "stride must be at least 1 byte");
  const spec = resolvePattern({
    length,
    pattern: t.pattern,
    access: t.access,
    writeRatio: t.writeRatio,
    stride,
    count: t.count,
    loops: t.loops,
    hotFraction: t.hotFraction,
    hotProbability: t.hotProbability,
    size,
    seed: t.seed,
  });
  return { ...origin, kind: "touch", at, spec };
}

/** A size in bytes, or a failure at `path`. */
function bytes(value: Size, path: KeyPath, fail: Fail): number {
  const v = sizeValue(value);
  return typeof v === "number" ? v : fail(path, v);
}

/** A length that keeps [at, at+length) inside the 32-bit address space. */
function rangeLength(at: number, value: Size, path: KeyPath, fail: Fail): number {
  const length = bytes(value, path, fail);
  if (length === 0) fail(path, "length must not be zero");
  if (at + length > 0x1_0000_0000) fail(path, `range ${hex(at)} + ${length} bytes runs past 4 GiB`);
  return length;
}

/**
 * An address: a number, or `base[+-offset]` with base code, heap, shared,
 * stack (the stack top, 0xC0000000) or a number, offset a number or size.
 */
export function parseAddress(value: Address): number | string {
  if (typeof value === "number") return value;
  const m = /^\s*([A-Za-z]+|0[xX][0-9a-fA-F]+|\d+)\s*(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+\s*(?:[KMGkmg](?:[iI]?[bB])?)?))?\s*$/.exec(value);
  if (m === null) return `"${value}" is not an address`;
  const base = /^[A-Za-z]+$/.test(m[1]) ? BASES[m[1]] : Number(m[1]);
  if (base === undefined) return `unknown address base '${m[1]}' (code, heap, shared or stack)`;
  let offset = 0;
  if (m[3] !== undefined) offset = /^0[xX]/.test(m[3]) ? Number(m[3]) : parseSize(m[3]);
  const va = m[2] === "-" ? base - offset : base + offset;
  if (va < 0 || va > 0xffffffff) return `address ${value} is outside 0..0xFFFFFFFF`;
  return va;
}

function address(value: Address, path: KeyPath, fail: Fail): number {
  const v = parseAddress(value);
  return typeof v === "number" ? v : fail(path, v);
}

/** An address on a page boundary, as mmap and munmap take (System throws for others). */
function pageAddress(value: Address, path: KeyPath, fail: Fail): number {
  const va = address(value, path, fail);
  return va % PAGE_SIZE === 0 ? va : fail(path, pageAlignmentProblem(va));
}

/** Every process is spawned at the start or forked by one that is. */
function checkReachable(processes: ProcessSpec[], never: (name: string) => void): void {
  const created = new Set(processes.filter((p) => p.forkedBy === null).map((p) => p.name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of processes) {
      if (!created.has(p.name) && p.forkedBy !== null && created.has(p.forkedBy)) {
        created.add(p.name);
        grew = true;
      }
    }
  }
  for (const p of processes) if (!created.has(p.name)) never(p.name);
}

function lineFromWhere(where: string): number {
  const m = /:(\d+):/.exec(where);
  return m ? Number(m[1]) : 0;
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
