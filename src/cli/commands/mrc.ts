/**
 * `vmm386 mrc TRACE`: miss-ratio curves in one pass over a trace — exact
 * LRU and OPT at every size (stack distances), SHARDS estimates of LRU,
 * miniature simulations of any policy (alone or through the full VMM).
 * Parses options and prints; the algorithms are in src/sim/mrc/.
 */
import type { Command } from "commander";
import { POLICY_NAMES } from "../../kernel/replacement/index.js";
import { InputError } from "../../machine/input-error.js";
import { builtinPolicy, parsePolicyList, policyLabel, type PolicyChoice } from "../../sim/policy-spec.js";
import { isStackPolicy, profileTrace, STACK_POLICIES, type MrcOptions, type StackPolicy } from "../../sim/mrc/profile.js";
import type { MrcResult } from "../../sim/mrc/curve.js";
import { systemConfig } from "../../sim/machine-settings.js";
import { TRACE_FORMATS } from "../../sim/trace/trace-format.js";
import { STDIN, type TraceInput } from "../../sim/trace/trace-input.js";
import { MRC_CSV_HEADER, mrcCsv, mrcSummaryTable } from "../../report/mrc-table.js";
import { abortOnFailure, openOutput, writeWhole, type OutputFile, type OutputKind } from "../../sim/output-file.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, describeOption, integer, parseFrames, settingsFromOptions, type CommonOptions } from "../options.js";
import { openReport } from "../output.js";
import { formatOption, openTraceArgument } from "../trace-arg.js";

export interface MrcCommandOptions extends CommonOptions {
  format?: string;
  shards?: string;
  shardsSize?: string;
  minisim?: string;
  frames?: string;
  vmm?: boolean;
  check?: boolean;
  csv?: string;
}

const DEFAULT_FRAMES = "8,16,32,64,128,256";

/** Machine options: they set up the VMM that `--vmm` replays the sample through. */
const MACHINE_OPTIONS: readonly (readonly [keyof MrcCommandOptions, string])[] = [
  ["ram", "--ram"],
  ["swap", "--swap"],
  ["swapImage", "--swap-image"],
  ["cpu", "--cpu"],
  ["tlb", "--tlb"],
  ["strictTlb", "--strict-tlb"],
  ["invariants", "--invariants"],
  ["cmdline", "--cmdline"],
  ["module", "--module"],
];

export function register(program: Command, inv: Invocation): void {
  const cmd = addCommonOptions(
    program
      .command("mrc")
      .description("Miss-ratio curves in one pass: exact LRU and OPT at every size, SHARDS, miniature simulations of any policy")
      .argument("<trace>", "trace file (any format `convert` knows; gzip ok); - for standard input")
      .option("--format <format>", `trace format: ${TRACE_FORMATS.join(", ")} (default: detected)`)
      .option("--shards <rate>", "estimate the LRU curve by SHARDS, sampling pages at this fixed rate (0 < rate <= 1)")
      .option("--shards-size <pages>", "estimate the LRU curve by SHARDS, keeping at most this many sampled pages (fixed size)")
      .option("--minisim <rate>", "estimate each --policy's curve by miniature simulations of a sample at this rate")
      .option("--frames <list>", `MINISIM's memory sizes, e.g. 16,32,64 or 8..512 (default ${DEFAULT_FRAMES})`)
      .option("--vmm", "run MINISIM's simulations through the full VMM (the machine options apply) instead of the policy alone")
      .option("--check", "also compute what each estimate estimates (exact LRU; full simulations) and report the estimate's error")
      .option("--csv <file>", "write every point of every curve as CSV"),
  ).addHelpText("after", MRC_HELP);
  describeOption(cmd, "--policy", `policies, comma-separated (default lru); exact curves: ${STACK_POLICIES.join(", ")}; with --minisim any of ${POLICY_NAMES.join(", ")}`);
  describeOption(cmd, "--seed", "seed of the sampling hash (SHARDS, MINISIM; default 0)");
  cmd.action((file: string, options: MrcCommandOptions) => mrc(inv, file, options));
}

const MRC_HELP = `
A curve gives, for each memory size in page frames, the misses per page reference of a memory
that starts empty (cold misses count), on the trace's page reference string (as replay
--policy-only sees it). LRU and OPT are stack algorithms: one pass gives their exact curve at
every size, equal to replay --policy-only at each. SHARDS samples pages by a hash of their
number and estimates the LRU curve; MINISIM runs each policy on the sample with memories
scaled by the rate. --check adds the exact curve (or a full simulation at each MINISIM size)
and the estimate's mean absolute error (MAE) of the miss ratio over the sizes both have.
--json prints {trace, format, accesses, references, distinctPages, curves: [{policy, method,
points: [{size, misses, missRatio}], histogram?, sampling?, error?}], seconds}.
`;

/** An existing file --csv may replace without --force: an earlier `vmm386 mrc --csv`. */
const MRC_CSV: OutputKind = { noun: "vmm386 mrc CSV", recognise: (head) => head.toString("latin1").startsWith(MRC_CSV_HEADER) };

/** The run's output files, checked and opened before the trace is read (output-file.ts). */
interface MrcOutputs {
  readonly csv: OutputFile | null;
  readonly report: OutputFile | null;
}

async function mrc(inv: Invocation, file: string, options: MrcCommandOptions): Promise<void> {
  const inputs = file === STDIN ? [] : [file];
  const csv = options.csv === undefined ? null : openOutput(options.csv, { kind: MRC_CSV, force: options.force, inputs, option: "--csv" });
  const outputs = { csv, report: await abortOnFailure([csv], () => openReport(options.report, options, inputs)) };
  await abortOnFailure([outputs.csv, outputs.report], async () => {
    const input = await openTraceArgument(inv, file, formatOption(options.format, "--format"));
    try {
      const mrcOptions = parseMrcOptions(input, options);
      await emit(inv, await profile(inv, input, mrcOptions, options), options, outputs);
    } finally {
      await input.close();
    }
  });
}

/** The curves, with a progress bar unless --json. */
async function profile(inv: Invocation, input: TraceInput, mrcOptions: MrcOptions, options: MrcCommandOptions): Promise<MrcResult> {
  const progress = inv.startProgress(options.json === true);
  let read = 0;
  try {
    return await profileTrace(input, { ...mrcOptions, onFileBytes: (n) => progress.update("reading trace", (read += n), input.fileBytes) });
  } finally {
    progress.stop();
  }
}

async function emit(inv: Invocation, result: MrcResult, options: MrcCommandOptions, outputs: MrcOutputs): Promise<void> {
  if (outputs.csv !== null) await writeWhole(outputs.csv, mrcCsv(result));
  // The chart library loads only when the report needs it.
  if (outputs.report !== null) await writeWhole(outputs.report, (await import("../../report/mrc.js")).renderMrcHtml(result));
  if (options.json) {
    inv.print(JSON.stringify({ ...result, report: options.report ?? null, csv: options.csv ?? null }));
    return;
  }
  const rate = result.references / Math.max(result.seconds, 1e-9) / 1e6;
  inv.print(
    `mrc ${result.trace} (${result.format}): ${result.references} page references (${result.accesses} accesses), ${result.distinctPages} distinct pages\n` +
      `${mrcSummaryTable(result)}\ntime: ${result.seconds.toFixed(2)} s (${rate.toFixed(1)} M references/s)`,
  );
  for (const path of [options.csv, options.report]) if (path !== undefined) inv.print(`wrote ${path}`);
}

/** The command line as MrcOptions for `input`; every inconsistency is an InputError naming the option. */
export function parseMrcOptions(input: { readonly isStream: boolean }, o: MrcCommandOptions): MrcOptions {
  if (o.userFrames !== undefined) throw new InputError("a curve covers every size: give MINISIM's sizes with --frames", "--user-frames");
  const estimated = o.shards !== undefined || o.shardsSize !== undefined || o.minisim !== undefined;
  if (o.check && !estimated) throw new InputError("compares an estimate (--shards, --shards-size, --minisim) with the exact curve: give one", "--check");
  if (o.shards !== undefined && o.shardsSize !== undefined) throw new InputError("give a fixed rate (--shards) or a fixed size (--shards-size), not both", "--shards-size");
  if (o.minisim === undefined) {
    for (const [flag, value] of [["--frames", o.frames], ["--vmm", o.vmm]] as const) if (value !== undefined) throw new InputError("only applies with --minisim", flag);
  }
  if (!o.vmm) {
    for (const [key, flag] of MACHINE_OPTIONS) if (o[key] !== undefined) throw new InputError("sets up the VMM of --minisim --vmm; curves alone have no machine", flag);
  }
  if (o.vmm && o.check && input.isStream) throw new InputError("--check --vmm replays the whole trace at each size: give a file, not a stream", "--check");
  const seed = o.seed === undefined ? undefined : integer(o.seed, "--seed", 0, 0xffffffff);
  const policies = policyList(o.policy);
  const result: { -readonly [K in keyof MrcOptions]: MrcOptions[K] } = { format: formatOption(o.format, "--format"), check: o.check === true };
  if (o.minisim !== undefined) {
    result.minisim = {
      rate: rateOption(o.minisim, "--minisim"),
      seed,
      policies: policies ?? ["lru"],
      sizes: parseFrames(o.frames ?? DEFAULT_FRAMES),
      vmm: o.vmm ? systemConfig(settingsFromOptions({ ...o, policy: undefined, seed: undefined })) : undefined,
    };
  } else {
    result.exact = exactPolicies(policies ?? (estimated ? [] : ["lru"]));
  }
  if (o.shards !== undefined) result.shards = { rate: rateOption(o.shards, "--shards"), seed };
  if (o.shardsSize !== undefined) result.shards = { maxPages: integer(o.shardsSize, "--shards-size", 1, 1 << 24), seed };
  return result;
}

/** The --policy list, each spec checked (src/sim/policy-spec.ts: parameters, plugins); undefined when not given. */
function policyList(text: string | undefined): PolicyChoice[] | undefined {
  if (text === undefined) return undefined;
  const parsed = parsePolicyList(text);
  if ("problem" in parsed) throw new InputError(parsed.problem, "--policy");
  return parsed.choices;
}

function exactPolicies(policies: readonly PolicyChoice[]): StackPolicy[] {
  return policies.map((p) => {
    const name = builtinPolicy(p);
    if (name === null || !isStackPolicy(name)) {
      throw new InputError(`${policyLabel(p)} has no exact one-pass curve (only the stack algorithms ${STACK_POLICIES.join(" and ")}): estimate it with --minisim RATE`, "--policy");
    }
    return name;
  });
}

/** A sampling rate in (0, 1]. */
function rateOption(text: string, option: string): number {
  const r = Number(text.trim());
  if (!/^\s*(\d+(\.\d*)?|\.\d+)(e-?\d+)?\s*$/i.test(text) || !(r > 0 && r <= 1)) throw new InputError(`'${text}' is not a sampling rate (a number, 0 < rate <= 1)`, option);
  return r;
}
