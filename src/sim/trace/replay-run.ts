/**
 * A trace replay as a run: the replay through the VMM (replay.ts) on the
 * machine of the caller's settings, with what the summary, the JSON and the
 * report need taken along the way — the recorder's time series (when a
 * report wants it) and the kernel's working-set estimates (when ticks make
 * it estimate) — and the result shaped as a scenario's RunResult, so that
 * one summary table, one JSON object and one report serve both.
 */
import { describeMachine, systemConfig } from "../machine-settings.js";
import { requirePolicyPlugins } from "../policy-spec.js";
import { describeStatus } from "../process.js";
import { Recorder, type TimeSeries } from "../recorder.js";
import type { ProcessOutcome, RunResult } from "../scenario/result.js";
import type { MachineSettings, System, SystemConfig } from "../system.js";
import { replayTrace, type ReplayOptions, type ReplayResult } from "./replay.js";
import type { TraceSource } from "./trace-input.js";
import { baseName } from "./trace-name.js";

/** Samples taken for a report's charts over a whole trace. */
const REPORT_SAMPLES = 200;

export interface ReplayRunOptions extends Omit<ReplayOptions, "system" | "onSample" | "samples"> {
  /** The machine: the System's defaults stand for any setting left out. */
  readonly settings: MachineSettings;
  /** Record the time series a report charts (REPORT_SAMPLES samples over the trace). */
  readonly record?: boolean;
}

/** A working-set estimate of the trace's process: at `accesses` trace accesses (`ticks` ticks), `pages` pages. */
export interface WorkingSetPoint {
  readonly accesses: number;
  readonly ticks: number;
  readonly pages: number;
}

/** The kernel's working-set estimates over a replay with ticks: one point per new estimate, its peak and sample count. */
export interface WorkingSetSeries {
  readonly tickEvery: number;
  readonly points: readonly WorkingSetPoint[];
  readonly peak: number;
  readonly samples: number;
}

export interface ReplayRun {
  readonly run: RunResult;
  readonly replay: ReplayResult;
  /** Null without `tickEvery`: without ticks the kernel estimates nothing. */
  readonly workingSet: WorkingSetSeries | null;
}

/** Replays `source` on a fresh System of `options.settings`; see ReplayRunOptions. */
export async function replayRun(source: TraceSource, options: ReplayRunOptions): Promise<ReplayRun> {
  const config = systemConfig(options.settings);
  await requirePolicyPlugins(config.policy);
  const looks = new Looks(options.record === true, options.tickEvery);
  const replay = await replayTrace(source, {
    ...options,
    system: config,
    samples: REPORT_SAMPLES,
    onSample: looks.wanted ? (system, pid, accesses) => looks.take(system, pid, accesses) : undefined,
  });
  return { run: replayRunResult(replay, config, looks.series()), replay, workingSet: looks.workingSet() };
}

/** What the replay's samples collect: the recorder's series and the kernel's working-set estimates. */
class Looks {
  private recorder: Recorder | null = null;
  private readonly points: WorkingSetPoint[] = [];
  private kernel = { samples: 0, peak: 0 };

  constructor(
    private readonly record: boolean,
    private readonly tickEvery: number | undefined,
  ) {}

  get wanted(): boolean {
    return this.record || this.tickEvery !== undefined;
  }

  take(system: System, pid: number, accesses: number): void {
    if (this.record) {
      if (this.recorder === null) {
        this.recorder = new Recorder(system, 1);
        this.recorder.track(pid, "trace");
      }
      this.recorder.sample();
    }
    // A point per new estimate of the kernel (none before its first window ends); the
    // peak and the count are the kernel's own, which samples more often than we look.
    const info = system.process(pid);
    if (this.tickEvery !== undefined && info.wsSamples !== this.kernel.samples) {
      this.points.push({ accesses, ticks: system.stats().ticks, pages: info.wsPages });
      this.kernel = { samples: info.wsSamples, peak: info.wsPeak };
    }
  }

  series(): TimeSeries | undefined {
    return this.recorder?.series;
  }

  workingSet(): WorkingSetSeries | null {
    if (this.tickEvery === undefined) return null;
    return { tickEvery: this.tickEvery, points: this.points, ...this.kernel };
  }
}

/** The replay as a RunResult, so the summary table, JSON and HTML report of `run` serve it too. */
export function replayRunResult(r: ReplayResult, config: SystemConfig, series: TimeSeries | undefined): RunResult {
  const st = r.process.status;
  const name = baseName(r.file);
  const outcome: ProcessOutcome = {
    pid: r.process.pid,
    name,
    parent: r.process.parent,
    state: st.state,
    exitCode: st.state === "exited" ? st.code : null,
    faultReport: st.state === "killed" ? st.report : null,
    summary: describeStatus(st),
    throttledTicks: r.process.throttledTicks,
    stalledTicks: r.process.stalledTicks,
  };
  if (series !== undefined) series.labels[r.process.pid] = name;
  return {
    title: `replay ${name} (${r.format})`,
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
  if (r.process.throttledTicks === 0) return [];
  return [
    `the kernel would have throttled the trace's process on ${r.process.throttledTicks} ticks (thrashing); ` +
      "a replay has no other process to run, so the trace ran on",
  ];
}
