/**
 * The machine a run gets when a scenario and the command line leave a
 * setting out, and how the two sources combine: a scenario's `machine`
 * first, the command line's settings laid over it, the System's defaults
 * under both. The CLI, the bench and the playground all start a run from
 * these, so a run's machine does not depend on who started it.
 */
import { hex32 } from "../machine/i386.js";
import { formatSize, MIB } from "../machine/units.js";
import { DEFAULT_POLICY } from "../kernel/replacement/index.js";
import { builtinPolicy, policyLabel, type PolicyChoice } from "./policy-spec.js";
import { formatThrottle } from "./scenario/reclaim-checks.js";
import type { CpuName } from "../machine/cpu-model.js";
import type { ThrottleRule } from "../kernel/psi.js";
import type { MachineSettings, SystemConfig } from "./system-config.js";

/** The CPU preset when nothing names one. */
export const DEFAULT_CPU: CpuName = "i486";

/** RAM when neither a scenario nor an option says: 16 MiB. */
export const DEFAULT_RAM_BYTES = 16 * MIB;
/** Swap partition of the temporary image when nothing says: 16 MiB, the seed's 4,096 slots. */
export const DEFAULT_SWAP_BYTES = 16 * MIB;

/** `base` (a scenario's machine) with `override` (the command line's) laid over it. */
export function mergeSettings(base: MachineSettings, override: MachineSettings): MachineSettings {
  const merged = { ...base, ...override };
  // Each boot setting keeps the place of whichever source gave it.
  if (base.bootOrigins !== undefined && override.bootOrigins !== undefined) return { ...merged, bootOrigins: { ...base.bootOrigins, ...override.bootOrigins } };
  return merged;
}

/** The SystemConfig of `settings`, RAM and swap defaults filled in. */
export function systemConfig(settings: MachineSettings): SystemConfig {
  return { ...settings, ramBytes: settings.ramBytes ?? DEFAULT_RAM_BYTES, swapBytes: settings.swapBytes ?? DEFAULT_SWAP_BYTES };
}

/** The machine of a config as display pairs for summaries, reports and JSON. */
export function describeMachine(config: SystemConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    ram: formatSize(config.ramBytes),
    swap: config.swapImage === undefined ? formatSize(config.swapBytes ?? DEFAULT_SWAP_BYTES) : `partition of ${config.swapImage}`,
    cpu: config.cpu ?? DEFAULT_CPU,
    policy: config.policy === undefined ? DEFAULT_POLICY : policyLabel(config.policy),
    tlb: config.tlb === undefined ? "cpu preset" : config.tlb === "off" ? "off" : `${config.tlb.entries} entries, ${config.tlb.ways}-way`,
  };
  if (config.userFrames !== undefined) out.userFrames = config.userFrames;
  if (config.swapLatency !== undefined) out.swapLatency = `${config.swapLatency.readTicks} ticks a read, ${config.swapLatency.writeTicks} a write`;
  if (config.throttle !== undefined && config.throttle.kind !== "seed") out.throttle = formatThrottle(config.throttle);
  if (config.strictTlb) out.strictTlb = true;
  if (config.checkInvariants) out.invariants = true;
  if (config.seed !== undefined) out.seed = config.seed;
  if (config.pidMax !== undefined) out.pidMax = config.pidMax;
  if (config.cmdline !== undefined) out.cmdline = config.cmdline;
  if (config.modules !== undefined) out.modules = config.modules.map((m) => m.path).join(" ");
  if (config.framebuffer !== undefined) {
    const fb = config.framebuffer;
    out.framebuffer = `${fb.width}x${fb.height}x${fb.bpp} at ${hex32(fb.addr)}`;
  }
  return out;
}

/**
 * What among a run's policy and throttle is measured in timer ticks, for a
 * run whose clock never moves (a trace replayed without ticks): the option
 * it was given as and why it cannot work; null when nothing is. Without
 * ticks mglru's min_ttl protects every generation for ever (the process is
 * killed as out of memory at its first eviction) and PSI's averages never
 * update, silently.
 */
export function needsTicks(policy: PolicyChoice | undefined, throttle: ThrottleRule | undefined): { option: "policy" | "throttle"; why: string } | null {
  if (policy !== undefined && typeof policy !== "string" && builtinPolicy(policy) === "mglru" && (policy.params?.min_ttl ?? 0) > 0) {
    return { option: "policy", why: "mglru's min_ttl is in timer ticks" };
  }
  if (throttle?.kind === "psi") return { option: "throttle", why: "the psi throttle reads pressure averaged over timer ticks" };
  return null;
}
