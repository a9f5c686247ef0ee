/**
 * `vmm386 replay TRACE [--format F] [machine options] [--json] [--report FILE.html]`:
 * replays a memory trace (valgrind lackey, page reference string, or vmm386
 * binary; gzip read transparently) through the VMM, prints how the trace's
 * Linux layout was mapped onto EYN-OS's, then the counters.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { replayTrace, type ReplayResult } from "../../sim/trace/replay.js";
import { formatMapping, LayoutError, pageAddress, type LayoutMapping } from "../../sim/trace/layout-mapper.js";
import { TraceFormatError } from "../../sim/trace/trace-error.js";
import { TRACE_FORMATS, type TraceFormat } from "../../sim/trace/trace-format.js";
import { replayPolicyOnly } from "../../sim/trace/policy-only.js";
import { closeStreamInput, STDIN } from "../../sim/trace/byte-source.js";
import { DEFAULT_POLICY, type PolicyParams } from "../../kernel/replacement/index.js";
import { builtinPolicy } from "../../sim/policy-spec.js";
import { Recorder } from "../../sim/recorder.js";
import { describeStatus } from "../../sim/process.js";
import type { ProcessOutcome, RunResult } from "../../sim/scenario/result.js";
import type { SystemConfig } from "../../sim/system.js";
import { TlbShapeError } from "../../machine/tlb.js";
import { BootError } from "../../kernel/boot.js";
import { DiskFormatError, DiskIoError } from "../../machine/block-device.js";
import { renderRunHtml } from "../../report/html.js";
import { runResultJson } from "../../report/json.js";
import { runSummaryTable } from "../../report/summary-table.js";
import { UserError, requireReadable } from "../errors.js";
import { FAULT_WINDOW_TICKS } from "../../kernel/working-set.js";
import {
  addCommonOptions,
  describeMachine,
  integer,
  machineFromOptions,
  requirePolicyPlugins,
  systemConfig,
  type CommonOptions,
} from "../options.js";
import { startProgress } from "../progress.js";
import { formatOption } from "./convert.js";
import { openReport } from "./run.js";
import { abortOnFailure, writeWhole, type OutputFile } from "../../sim/output-file.js";

export interface ReplayCommandOptions extends CommonOptions {
  format?: string;
  brkStart?: string;
  policyOnly?: boolean;
  clockR0?: boolean;
  tickEvery?: string;
}

/** Samples taken for the report's charts over a whole trace. */
const REPORT_SAMPLES = 200;

export function register(program: Command): void {
  addReplayOptions(
    program
      .command("replay")
      .description("Replay a memory trace (valgrind lackey, page reference string, vmm386 binary; gzip ok) through the VMM")
      .argument("<trace>", "trace file, e.g. busybox-awk.lackey.gz; - for standard input")
      .option("--format <format>", `trace format: ${TRACE_FORMATS.join(", ")} (default: detected)`),
  )
    .addHelpText("after", REPLAY_HELP)
    .action((file: string, options: ReplayCommandOptions) => replay(file, options));
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

async function replay(argument: string, options: ReplayCommandOptions): Promise<void> {
  await replayInput(traceInput(argument), options);
}

/** Replays the trace at `file` (a path, or a stream input's name) as the options say, and prints the results. */
export async function replayInput(file: string, options: ReplayCommandOptions): Promise<void> {
  const format = formatOption(options.format, "--format");
  if (options.policyOnly) return policyOnly(file, format, options);
  const spec = machineFromOptions(options);
  if (options.clockR0) throw new UserError("only applies with --policy-only", "--clock-r0");
  await requirePolicyPlugins(spec.policy);
  const config = systemConfig(spec);
  const brkStart = options.brkStart === undefined ? undefined : addressOption(options.brkStart, "--brk-start");
  const tickEvery = options.tickEvery === undefined ? undefined : integer(options.tickEvery, "--tick-every", 1, 0xffffffff);
  // Checked and opened before the trace is read: a bad path costs nothing, and a good one cannot fail after the replay.
  const report = openReport(options.report, options, [file]);
  await abortOnFailure([report], () => replayInto(file, format, config, { brkStart, tickEvery }, options, report));
}

/** The replay proper, its summary, and the report into `report` (already open) if asked. */
async function replayInto(
  file: string,
  format: TraceFormat | undefined,
  config: SystemConfig,
  { brkStart, tickEvery }: { brkStart: number | undefined; tickEvery: number | undefined },
  options: ReplayCommandOptions,
  report: OutputFile | null,
): Promise<void> {
  let recorder: Recorder | null = null;
  const workingSet: WorkingSetPoint[] | undefined = tickEvery === undefined ? undefined : [];
  const kernel = { samples: 0, peak: 0 };
  // One clock for both passes: the bar appears once the replay has run a second, in whichever pass.
  const progress = startProgress(options.json === true);
  const result = await translateErrors(() =>
    replayTrace(file, {
      format,
      brkStart,
      tickEvery,
      system: config,
      onSurveyProgress: (read, size) => progress.update("reading trace", read, size),
      onProgress: (done, total) => progress.update("replaying", done, total),
      samples: REPORT_SAMPLES,
      onSample:
        options.report === undefined && workingSet === undefined
          ? undefined
          : (system, pid, accesses) => {
              if (options.report !== undefined) {
                if (recorder === null) {
                  recorder = new Recorder(system, 1);
                  recorder.track(pid, path.basename(file));
                }
                recorder.sample();
              }
              // A point per new estimate of the kernel (none before its first window ends); the
              // peak and the count are the kernel's own, which samples more often than we look.
              const info = system.process(pid);
              if (workingSet !== undefined && info.wsSamples !== kernel.samples) {
                workingSet.push({ accesses, ticks: system.stats().ticks, pages: info.wsPages });
                kernel.samples = info.wsSamples;
                kernel.peak = info.wsPeak;
              }
            },
    }),
  ).finally(() => progress.stop());
  const run = replayRunResult(result, config, (recorder as Recorder | null)?.series);
  if (run.panic !== null || result.process.status.state === "killed") process.exitCode = 1;
  if (report !== null) await writeWhole(report, renderRunHtml(run));
  if (options.json) {
    const ticking = workingSet === undefined ? {} : { tickEvery, workingSet };
    process.stdout.write(JSON.stringify(runResultJson(run, { ...replayJson(result, options.report), ...ticking })) + "\n");
    return;
  }
  const r = result;
  process.stdout.write(
    `${run.title}: ${r.accesses} accesses (I ${r.byKind.I}, L ${r.byKind.L}, S ${r.byKind.S}, M ${r.byKind.M}), ` +
      `${r.references} page references, ${r.distinctPages} distinct pages\n`,
  );
  process.stdout.write(`${formatMapping(r.mapping)}\n${runSummaryTable(run)}\n`);
  if (workingSet !== undefined) process.stdout.write(`${workingSetLine(workingSet, kernel, tickEvery as number, r.stats.ticks)}\n`);
  for (const note of run.notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(
    `time: first pass ${r.seconds.survey.toFixed(2)} s, replay ${r.seconds.replay.toFixed(2)} s ` +
      `(${(r.stats.accesses / Math.max(r.seconds.replay, 1e-9) / 1e6).toFixed(2)} M accesses/s)\n`,
  );
  if (options.report !== undefined) process.stdout.write(`report: ${options.report}\n`);
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
async function policyOnly(file: string, format: TraceFormat | undefined, options: ReplayCommandOptions): Promise<void> {
  for (const [key, flag, why] of NOT_WITH_POLICY_ONLY) {
    if (options[key] !== undefined) throw new UserError(`${flag} has no meaning with --policy-only: ${why}`);
  }
  const spec = machineFromOptions(options);
  if (spec.userFrames === undefined) throw new UserError("needs --user-frames N (the frames the policy manages)", "--policy-only");
  await requirePolicyPlugins(spec.policy);
  if (spec.policy !== undefined && builtinPolicy(spec.policy) === "mglru" && (spec.policy as { params?: PolicyParams }).params?.min_ttl !== undefined) {
    throw new UserError("mglru's min_ttl has no meaning with --policy-only: no ticks, no clock", "--policy");
  }
  const r = await translateErrors(async () => {
    try {
      return await replayPolicyOnly(file, {
        format,
        frames: spec.userFrames as number,
        policy: spec.policy ?? DEFAULT_POLICY,
        faultSetsReferenced: options.clockR0 !== true,
      });
    } finally {
      await closeStreamInput(file);
    }
  });
  const referencesPerSecond = Math.round(r.references / Math.max(r.seconds, 1e-9));
  if (options.json) {
    const json = {
      mode: "policy-only",
      trace: r.file,
      policy: r.policy,
      frames: r.frames,
      accesses: r.accesses,
      references: r.references,
      faults: { total: r.misses },
      misses: r.misses,
      missRatio: r.missRatio,
      seconds: r.seconds,
      referencesPerSecond,
      ...(r.workingSet === undefined ? {} : { workingSet: r.workingSet }),
    };
    process.stdout.write(JSON.stringify(json) + "\n");
    return;
  }
  process.stdout.write(
    `policy-only ${path.basename(file)}: ${r.policy}, ${r.frames} frames: ${r.references} references ` +
      `(${r.accesses} accesses), ${r.misses} misses, miss ratio ${r.missRatio.toFixed(6)}\n` +
      `time: ${r.seconds.toFixed(2)} s (${(referencesPerSecond / 1e6).toFixed(1)} M references/s)\n`,
  );
}

/** A working-set estimate of the trace's process: at `accesses` trace accesses (`ticks` ticks), `pages` pages. */
interface WorkingSetPoint {
  readonly accesses: number;
  readonly ticks: number;
  readonly pages: number;
}

/** The summary's working-set line: the last and peak estimates, or why there is none. */
function workingSetLine(
  series: readonly WorkingSetPoint[],
  kernel: { readonly samples: number; readonly peak: number },
  tickEvery: number,
  ticks: number,
): string {
  const window = `the kernel samples once per ${FAULT_WINDOW_TICKS} ticks = ${FAULT_WINDOW_TICKS * tickEvery} accesses`;
  if (series.length === 0) return `working set: none yet after ${ticks} ticks (${window})`;
  const last = series[series.length - 1];
  return `working set: ${last.pages} pages at the end, at most ${kernel.peak} (${kernel.samples} samples; ${window})`;
}

/** The trace's path: \`-\` is standard input, unless it is a terminal (nothing was piped in). */
export function traceInput(argument: string): string {
  if (argument !== "-") {
    requireReadable(argument);
    return argument;
  }
  if (process.stdin.isTTY) throw new UserError("standard input is a terminal: pipe a trace in (... | vmm386 replay -)", "-");
  return STDIN;
}

/** A 32-bit address given as 0x-hex or decimal. */
function addressOption(text: string, option: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]{1,8}$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new UserError(`'${text}' is not a 32-bit address (0x... or decimal)`, option);
  return n;
}

/** Runs the replay, turning the user's problems (bad trace, bad machine) into one-line UserErrors. */
async function translateErrors<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof TraceFormatError || e instanceof LayoutError) throw new UserError(e.message);
    if (e instanceof TlbShapeError) throw new UserError(e.message, "--tlb");
    if (e instanceof BootError || e instanceof DiskFormatError || e instanceof DiskIoError) throw new UserError(e.message);
    throw e;
  }
}

/** The replay as a RunResult, so the summary table, JSON and HTML report of `run` serve it too. */
export function replayRunResult(r: ReplayResult, config: SystemConfig, series: RunResult["series"] | undefined): RunResult {
  const st = r.process.status;
  const outcome: ProcessOutcome = {
    pid: r.process.pid,
    name: path.basename(r.file),
    parent: r.process.parent,
    state: st.state,
    exitCode: st.state === "exited" ? st.code : null,
    faultReport: st.state === "killed" ? st.report : null,
    summary: describeStatus(st),
    throttledTicks: r.process.throttledTicks,
    stalledTicks: r.process.stalledTicks,
  };
  return {
    title: `replay ${path.basename(r.file)} (${r.format})`,
    description: `${r.accesses} accesses, ${r.references} page references, ${r.distinctPages} distinct pages`,
    source: r.file,
    machine: { ...describeMachine(config), trace: r.file, format: r.format },
    stats: r.stats,
    processes: [outcome],
    series: series ?? { samples: [], labels: {} },
    strictTlb: r.strictTlb,
    panic: r.panic,
    notes: replayNotes(r),
    throttleSkips: 0,
  };
}

function replayNotes(r: ReplayResult): string[] {
  const notes: string[] = [];
  if (r.mapping.imageInShared) notes.push("code/data placed in the shared region: the kernel offers no call to map the code region");
  if (r.process.throttledTicks > 0) {
    notes.push(
      `the kernel would have throttled the trace's process on ${r.process.throttledTicks} ticks (thrashing); ` +
        "a replay has no other process to run, so the trace ran on",
    );
  }
  return notes;
}

/** Replay-specific keys of the --json object. */
function replayJson(r: ReplayResult, report: string | undefined): Record<string, unknown> {
  return {
    trace: r.file,
    format: r.format,
    accesses: r.stats.accesses,
    references: r.stats.references,
    traceAccesses: r.accesses,
    traceReferences: r.references,
    straddles: r.straddles,
    accessesByKind: r.byKind,
    distinctPages: r.distinctPages,
    mapping: mappingJson(r.mapping),
    seconds: r.seconds,
    accessesPerSecond: Math.round(r.stats.accesses / Math.max(r.seconds.replay, 1e-9)),
    ...(report === undefined ? {} : { report }),
  };
}

function mappingJson(m: LayoutMapping): Record<string, unknown>[] {
  return m.regions.map((r) => ({
    kind: r.kind,
    trace: [pageAddress(r.traceStart), pageAddress(r.traceEnd)],
    eyn: [pageAddress(r.eynStart), pageAddress(r.eynStart + r.traceEnd - r.traceStart)],
    pages: r.pages,
  }));
}
