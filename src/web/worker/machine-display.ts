/**
 * The machine of a run as display pairs (ram, swap, cpu, policy, tlb...),
 * as the command line's summaries show it.
 */
import { DEFAULT_POLICY } from "../../kernel/replacement/index.js";
import { formatSize } from "../../machine/units.js";
import { DEFAULT_CPU, type SystemConfig } from "../../sim/system.js";

export function describeMachine(config: SystemConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    ram: formatSize(config.ramBytes),
    swap: formatSize(config.swapBytes ?? 0),
    cpu: config.cpu ?? DEFAULT_CPU,
    policy: config.policy ?? DEFAULT_POLICY,
    tlb: config.tlb === undefined ? "cpu preset" : config.tlb === "off" ? "off" : `${config.tlb.entries} entries, ${config.tlb.ways}-way`,
  };
  if (config.userFrames !== undefined) out.userFrames = config.userFrames;
  if (config.strictTlb) out.strictTlb = true;
  if (config.seed !== undefined) out.seed = config.seed;
  return out;
}
