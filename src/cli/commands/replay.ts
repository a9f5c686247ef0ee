/**
 * `vmm386 replay TRACE [--format F] [machine options] [--json] [--report FILE.html]`:
 * replays a memory trace (valgrind lackey, page reference string, or vmm386
 * binary; gzip read transparently) through the VMM, prints how the trace's
 * Linux layout was mapped onto EYN-OS's, then the counters.
 */
import type { Command } from "commander";
import { FAULT_WINDOW_TICKS } from "../../kernel/working-set.js";
import { DEFAULT_POLICY } from "../../kernel/replacement/index.js";
import { InputError } from "../../machine/input-error.js";
import { policyOnlyJson, policyOnlyText } from "../../report/policy-only.js";
import { replayPolicyOnly } from "../../sim/trace/policy-only.js";
import { TRACE_FORMATS } from "../../sim/trace/trace-format.js";
import { STDIN, type TraceInput } from "../../sim/trace/trace-input.js";
import { builtinPolicy } from "../../sim/policy-spec.js";
import type { MachineSettings } from "../../sim/system.js";
import { needsTicks } from "../../sim/machine-settings.js";
import { formatOption, openTraceArgument } from "../trace-arg.js";
import type { Invocation } from "../io.js";
import { addCommonOptions, integer, settingsFromOptions, type CommonOptions } from "../options.js";

export interface ReplayCommandOptions extends CommonOptions {
  format?: string;
  brkStart?: string;
  policyOnly?: boolean;
  clockR0?: boolean;
  tickEvery?: string;
}

/** A trace to replay: how to open it, and the file it names (null for none: standard input, a recording). */
export interface ReplaySource {
  readonly file: string | null;
  open(): Promise<TraceInput>;
}

export function register(program: Command, inv: Invocation): void {
  addReplayOptions(
    program
      .command("replay")
      .description("Replay a memory trace (valgrind lackey, page reference string, vmm386 binary; gzip ok) through the VMM")
      .argument("<trace>", "trace file, e.g. busybox-awk.lackey.gz; - for standard input")
      .option("--format <format>", `trace format: ${TRACE_FORMATS.join(", ")} (default: detected)`),
  )
    .addHelpText("after", REPLAY_HELP)
    .action((argument: string, options: ReplayCommandOptions) =>
      replayInput(
        inv,
        { file: argument === STDIN ? null : argument, open: () => openTraceArgument(inv, argument, formatOption(options.format, "--format")) },
        options,
      ),
    );
}

/** The options of a replay (machine, outputs, layout, policy-only), which `record` takes too. */
export function addReplayOptions(cmd: Command): Command {
  return addCommonOptions(
    cmd
      .option("--brk-start <addr>", "trace address where the program's brk heap starts (default: guessed from the trace)")
      .option("--tick-every <accesses>", "one timer tick per N trace accesses, so the kernel samples the working set (default: no ticks)")
      .option("--policy-only", "replay the page reference string through the policy alone (no MMU, page tables or swap): takes --user-frames and --policy, refuses the other machine options")
      .option("--clock-r0", "with --policy-only: a newly loaded page starts with its referenced bit clear (libCacheSim's Clock)"),
  );
}

const REPLAY_HELP = `
The trace may come from a pipe, read once as it arrives (gzip'd or not):
  valgrind --tool=lackey --trace-mem=yes --log-fd=9 prog 9>&1 >/dev/null | vmm386 replay -
A trace has no time: with --tick-every N, every N trace accesses stand for one timer tick.
The kernel samples the working set once per ${FAULT_WINDOW_TICKS} ticks (every ${FAULT_WINDOW_TICKS}×N accesses), which changes no
fault count; the summary shows it, --report charts it, --json adds tickEvery and
workingSet: [{accesses, ticks, pages}]. Without --tick-every there are no ticks.
Exit code 1 when the trace's process was killed or the kernel panicked (with or without --json).
--json prints one object: the counters of \`vmm386 run --json\` (accesses, references, faults,
vmstat, vmm386, tlb, processes, strictTlb, panic) plus the trace and its mapping.
--policy-only --json prints {mode: "policy-only", trace, policy, frames, accesses, references,
faults: {total}, misses, missRatio, seconds, referencesPerSecond}: every miss is a fault, so
faults.total equals misses; there is no MMU, swap or TLB, hence no vmstat, vmm386, tlb or processes
(linux and mglru add workingSet: their pgactivate, pgdeactivate and workingset_* counts).
`;

/** Replays `source` as the options say, and prints the results. */
export function replayInput(inv: Invocation, source: ReplaySource, options: ReplayCommandOptions): Promise<void> {
  return options.policyOnly ? policyOnly(inv, source, options) : replay(inv, source, options);
}

/** The replay through the whole VMM. */
async function replay(inv: Invocation, source: ReplaySource, options: ReplayCommandOptions): Promise<void> {
  const settings = settingsFromOptions(options);
  if (options.clockR0) throw new InputError("only applies with --policy-only", "--clock-r0");
  const brkStart = options.brkStart === undefined ? undefined : addressOption(options.brkStart, "--brk-start");
  const tickEvery = options.tickEvery === undefined ? undefined : integer(options.tickEvery, "--tick-every", 1, 0xffffffff);
  if (tickEvery === undefined) refuseWithoutTicks(settings);
  // The VMM and the tables load only here: a policy-only replay starts without them.
  const [{ replayRun }, { replayJson, replayText }, { openReport, writeRunReport }, { abortOnFailure }] = await Promise.all([
    import("../../sim/trace/replay-run.js"),
    import("../../report/replay.js"),
    import("../output.js"),
    import("../../sim/output-file.js"),
  ]);
  // Checked and opened before the trace is read: a bad path costs nothing, and a good one cannot fail after the replay.
  const report = openReport(options.report, options, source.file === null ? [] : [source.file]);
  const input = await abortOnFailure([report], () => source.open());
  // One clock for both passes: the bar appears once the replay has run a second, in whichever pass.
  const progress = inv.startProgress(options.json === true);
  const r = await abortOnFailure([report], () =>
    replayRun(input, {
      settings,
      brkStart,
      tickEvery,
      record: report !== null,
      onSurveyProgress: (read, size) => progress.update("reading trace", read, size, "B"),
      onProgress: (done, total) => progress.update("replaying", done, total, "accesses"),
    }),
  ).finally(() => {
    progress.stop();
    return input.close();
  });
  if (r.run.panic !== null || r.replay.process.status.state === "killed") inv.exitCode = 1;
  if (report !== null) await writeRunReport(report, r.run);
  inv.print(options.json ? JSON.stringify(replayJson(r, report?.path)) : replayText(r, report?.path));
}

/** Refuses what is measured in ticks (machine-settings.ts, needsTicks) when the replay has none. */
function refuseWithoutTicks(settings: MachineSettings): void {
  const problem = needsTicks(settings.policy, settings.throttle);
  if (problem !== null) throw new InputError(`${problem.why}, and a replay has none without --tick-every N (one tick per N accesses)`, `--${problem.option}`);
}

/** Options of a VMM run, each with what a policy alone lacks that it would set or show. */
const NOT_WITH_POLICY_ONLY: readonly (readonly [keyof ReplayCommandOptions, string, string])[] = [
  ["ram", "--ram", "no machine (--user-frames gives the policy its frames)"],
  ["swap", "--swap", "no swap"],
  ["swapImage", "--swap-image", "no swap"],
  ["cpu", "--cpu", "no machine"],
  ["cmdline", "--cmdline", "no machine to boot"],
  ["module", "--module", "no machine to boot"],
  ["tlb", "--tlb", "no MMU"],
  ["strictTlb", "--strict-tlb", "no MMU"],
  ["invariants", "--invariants", "no kernel"],
  ["brkStart", "--brk-start", "no address space to lay the trace out in"],
  ["tickEvery", "--tick-every", "no kernel to tick"],
  ["swapReadTicks", "--swap-read-ticks", "no swap to wait for"],
  ["swapWriteTicks", "--swap-write-ticks", "no swap to wait for"],
  ["throttle", "--throttle", "no kernel to throttle, no processes"],
  // The report shows a VMM run: processes, swap, TLB, charts over time.
  ["report", "--report", "no VMM run to chart (--json gives the counts)"],
];

/** `--policy-only`: the reference string through the policy alone, as textbook simulators do. */
async function policyOnly(inv: Invocation, source: ReplaySource, options: ReplayCommandOptions): Promise<void> {
  for (const [key, flag, why] of NOT_WITH_POLICY_ONLY) {
    if (options[key] !== undefined) throw new InputError(`${flag} has no meaning with --policy-only: ${why}`);
  }
  const settings = settingsFromOptions(options);
  if (settings.userFrames === undefined) throw new InputError("needs --user-frames N (the frames the policy manages)", "--policy-only");
  const policy = settings.policy;
  if (policy !== undefined && typeof policy !== "string" && builtinPolicy(policy) === "mglru" && policy.params?.min_ttl !== undefined) {
    throw new InputError("mglru's min_ttl has no meaning with --policy-only: no ticks, no clock", "--policy");
  }
  const input = await source.open();
  const r = await replayPolicyOnly(input, {
    frames: settings.userFrames,
    policy: settings.policy ?? DEFAULT_POLICY,
    faultSetsReferenced: options.clockR0 !== true,
  }).finally(() => input.close());
  inv.print(options.json ? JSON.stringify(policyOnlyJson(r)) : policyOnlyText(r));
}

/** A 32-bit address given as 0x-hex or decimal. */
function addressOption(text: string, option: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]{1,8}$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new InputError(`'${text}' is not a 32-bit address (0x... or decimal)`, option);
  return n;
}
