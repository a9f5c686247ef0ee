/**
 * Booting a System's machine from its config. The machine refuses a boot
 * setting in its own terms (a module, the framebuffer); the user needs to
 * know where they wrote it, so a refusal is traced back to its setting.
 */
import { MachineConfigError, createMachine, type Machine, type MachineDescription } from "../machine/machine.js";
import { BootInfoError } from "../machine/multiboot.js";
import { MemoryConfigError } from "../machine/physical-memory.js";
import { DEFAULT_CPU } from "./machine-settings.js";
import type { BootOrigins, SystemConfig } from "./system-config.js";

/** The machine of `config`; a refused boot setting is named by where it was given. */
export function createBootMachine(config: SystemConfig): Machine {
  const bare: MachineDescription = { ramBytes: config.ramBytes, cpu: config.cpu ?? DEFAULT_CPU, tlb: config.tlb, strictTlb: config.strictTlb ?? false };
  try {
    return createMachine({ ...bare, commandLine: config.cmdline, modules: config.modules, framebuffer: config.framebuffer });
  } catch (e) {
    const origins = config.bootOrigins;
    if (!(e instanceof MemoryConfigError) || origins === undefined) throw e;
    throw locateBootError(e, bare, config, origins);
  }
}

/**
 * The machine's refusal of a boot setting, prefixed with where that setting
 * was given. The messages name the module or the framebuffer but not where
 * the user wrote it, so the culprit is found by offering the settings one
 * more at a time, in the order the loader handles them (framebuffer,
 * command line, modules with an address, then the others in order), until
 * the machine refuses; a bare machine it refuses is not a boot setting's fault.
 */
function locateBootError(e: MemoryConfigError, bare: MachineDescription, config: SystemConfig, origins: BootOrigins): MemoryConfigError {
  const modules = (config.modules ?? []).map((m, i) => ({ module: m, where: origins.modules?.[i] }));
  const ordered = [...modules.filter((m) => m.module.address !== undefined), ...modules.filter((m) => m.module.address === undefined)];
  const trials: { where: string | undefined; desc: MachineDescription }[] = [{ where: undefined, desc: bare }];
  const withFramebuffer = { ...bare, framebuffer: config.framebuffer };
  if (config.framebuffer !== undefined) trials.push({ where: origins.framebuffer, desc: withFramebuffer });
  const withCmdline = { ...withFramebuffer, commandLine: config.cmdline };
  if (config.cmdline !== undefined) trials.push({ where: origins.cmdline, desc: withCmdline });
  ordered.forEach((m, k) => trials.push({ where: m.where, desc: { ...withCmdline, modules: ordered.slice(0, k + 1).map((o) => o.module) } }));
  for (const trial of trials) {
    try {
      createMachine(trial.desc);
    } catch (refusal) {
      if (!(refusal instanceof MemoryConfigError) || trial.where === undefined) return e;
      const message = `${trial.where}: ${refusal.message}`;
      return refusal instanceof BootInfoError ? new BootInfoError(message) : new MachineConfigError(message);
    }
  }
  return e;
}
