/**
 * `vmm386 torture --ops N --seed S [--ram 2M --swap 8M --policy clock --cpu i386 --user-frames N --strict-tlb]`:
 * the property test's driver as a command, so users can stress their own
 * configuration. Prints one JSON summary on stdout; exit 1 on any loss
 * (mismatch, invariant violation, leaked frame or slot, panic), 2 on bad
 * options. On a machine too small for the load, operations that fail because
 * the kernel ran out of memory are counted as `outOfMemory`, not as losses.
 */
import type { Command } from "commander";
import type { Invocation } from "../io.js";
import { InputError } from "../../machine/input-error.js";
import { POLICY_NAMES, needsFuture } from "../../kernel/replacement/index.js";
import { choiceNeedsFuture, policyLabel, requirePolicyPlugins } from "../../sim/policy-spec.js";
import { settingsFromOptions } from "../options.js";
import { formatSize } from "../../machine/units.js";
import { TORTURE_MACHINE, TORTURE_MAX_PROCESSES, randomOps, runTorture, tortureLosses } from "../../sim/torture.js";

interface TortureOptions {
  ops: string;
  seed?: string;
  ram?: string;
  swap?: string;
  policy?: string;
  cpu?: string;
  userFrames?: string;
  processes?: string;
  invariants: boolean;
  strictTlb?: boolean;
}

export function register(program: Command, inv: Invocation): void {
  program
    .command("torture")
    .description("Random fork/exit/read/write/brk/mmap/munmap/copy-out across processes, every byte checked against a reference model")
    .option("--ops <n>", "operations to run", "100000")
    .option("--seed <n>", `seed of the operation generator and the machine (default: ${TORTURE_MACHINE.seed})`)
    .option("--ram <size>", `RAM of the machine (default: ${formatSize(TORTURE_MACHINE.ramBytes)}, small to swap hard)`)
    .option("--swap <size>", `swap partition of the temporary image (default: ${formatSize(TORTURE_MACHINE.swapBytes)})`)
    .option("--policy <spec>", `replacement policy: ${POLICY_NAMES.filter((p) => !needsFuture(p)).join(", ")}, NAME:key=value,..., or a plugin ./NAME.js (default: ${TORTURE_MACHINE.policy})`)
    .option("--cpu <name>", `CPU preset: i386, i486, pentium, p6 (default: ${TORTURE_MACHINE.cpu})`)
    .option("--user-frames <n>", "cap on resident user pages")
    .option("--processes <n>", `running processes at most (default: ${TORTURE_MAX_PROCESSES})`)
    .option("--no-invariants", "skip the invariant checker after every operation (faster)")
    .option("--strict-tlb", "check every TLB hit against the page tables (catches missing invalidations)")
    .action((options: TortureOptions) => torture(inv, options));
}

async function torture(inv: Invocation, options: TortureOptions): Promise<void> {
  const ops = intOption(options.ops, "--ops", 0);
  // The machine's options mean what they mean for run: one range each (machine-checks.ts).
  const given = settingsFromOptions({ ram: options.ram, swap: options.swap, seed: options.seed, policy: options.policy, cpu: options.cpu, userFrames: options.userFrames });
  const { ramBytes, swapBytes, policy, cpu, seed, userFrames } = { ...TORTURE_MACHINE, ...given };
  if (choiceNeedsFuture(policy)) throw new InputError(`${policyLabel(policy)} needs to know the future: it runs only on recorded traces (vmm386 replay)`, "--policy");
  await requirePolicyPlugins(policy);
  const maxProcesses = options.processes === undefined ? undefined : intOption(options.processes, "--processes", 1);
  // A machine that cannot be built or booted is an InputError naming its problem, printed by the CLI's one error line.
  const summary = runTorture(
    {
      ramBytes,
      swapBytes,
      policy,
      cpu,
      userFrames,
      maxProcesses,
      checkInvariants: options.invariants,
      allowOutOfMemory: true,
      strictTlb: options.strictTlb ?? false,
      seed,
    },
    randomOps(seed, ops),
  );
  inv.print(JSON.stringify(summary, null, 2));
  if (tortureLosses(summary) !== 0) inv.exitCode = 1;
}

function intOption(text: string, option: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) throw new InputError(`"${text}" is not a whole number`, option);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(`${text} is out of range (at least ${min})`, option);
  return n;
}
