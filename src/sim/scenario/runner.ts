/**
 * Runs a scenario on a System. Processes take turns round-robin, one step
 * per turn, in creation order (a forked child joins the end of the ring);
 * after each round the timer ticks `ticksPerRound` times. A process the
 * kernel throttles for thrashing (its throttled-tick count rose on the last
 * tick) sits out its turns until the throttle lifts — the scheduler's side
 * of the seed's working-set throttle.
 *
 * The run can be advanced turn by turn (for `inspect` at a step) or to the
 * end. Touches go straight to System.access in a tight loop; the recorder
 * and the progress callback are called only every few thousand accesses.
 */
import { ACCESS, PTE } from "../../machine/i386.js";
import { USER_HEAP_BASE } from "../../kernel/layout.js";
import { pageKey } from "../../kernel/vmm.js";
import { PROT, type System } from "../system.js";
import { describeStatus } from "../process.js";
import { Recorder } from "../recorder.js";
import { AccessStream, patternAccessCount, type PatternSpec } from "../workload/patterns.js";
import { strictTlbFindings, type FaultReportData, type ProcessOutcome, type RunResult } from "./result.js";
import type { Scenario, Step } from "./types.js";

/** Samples a run aims for when the scenario sets no interval. */
const TARGET_SAMPLES = 200;

/**
 * Accesses between two progress reports at most: a run of 10^14 accesses
 * samples once every 10^12, but its progress bar must move (a fraction of
 * a second at tens of millions of accesses a second).
 */
const PROGRESS_EVERY = 1 << 22;

interface Thread {
  readonly name: string;
  readonly pid: number;
  pc: number;
  readonly steps: readonly Step[];
  /** The heap break as this process last set it (brk with +/- is relative to it). */
  heapBreak: number;
  /** Physical address of its page directory, learnt at its first turn (CR3). */
  pdPhys: number;
  /** The kernel's policy key of its page 0 (pageKey of its address space), set at each turn. */
  keyBase: number;
  throttledSeen: number;
  done: boolean;
}

export interface RunnerOptions {
  /** Called now and then with accesses done and expected in all. */
  onProgress?: (done: number, total: number) => void;
  /** Display pairs of the machine, for the result. */
  machine?: Readonly<Record<string, string | number | boolean>>;
  /** Told every page reference before it is made (OPT's future: opt-future.ts). */
  references?: ReferenceSink;
}

/** Hears of a run's page references, keyed as the kernel keys its policy (pageKey). */
export interface ReferenceSink {
  /** The next reference is to the page with policy key `key`. */
  note(key: number): void;
  /** The runner starts executing `step`. */
  enter?(step: Step): void;
}

export class ScenarioRunner {
  readonly system: System;
  readonly scenario: Scenario;
  readonly recorder: Recorder;
  /** Problems that are not faults: refused brk/mmap, failed fork, missing PTE for pokePte... */
  readonly notes: string[] = [];
  /** Turns executed so far (a step is one turn). */
  turns = 0;
  /** Turns a throttled process sat out so that another could run (RunResult.throttleSkips). */
  private throttleSkips = 0;
  /** Accesses all touch steps will make (for progress). */
  readonly plannedAccesses: number;

  private readonly threads: Thread[] = [];
  private readonly byName = new Map<string, Thread>();
  private readonly options: RunnerOptions;
  private cursor = 0;
  private ranThisRound = false;

  constructor(system: System, scenario: Scenario, options: RunnerOptions = {}) {
    this.system = system;
    this.scenario = scenario;
    this.options = options;
    this.plannedAccesses = scenarioAccessCount(scenario);
    const every =
      scenario.sampleEvery === "tick"
        ? Number.MAX_SAFE_INTEGER
        : (scenario.sampleEvery ?? Math.max(1, Math.ceil(this.plannedAccesses / TARGET_SAMPLES)));
    this.recorder = new Recorder(system, every);
    for (const p of scenario.processes) {
      if (p.forkedBy !== null) continue;
      const pid = system.spawn();
      if (pid === null) {
        this.notes.push(`${p.name}: spawn failed (no memory for an address space)`);
        continue;
      }
      this.addThread(p.name, pid, USER_HEAP_BASE);
    }
    this.recorder.sample();
  }

  /** The pid of the process named `name`, once created. */
  pidOf(name: string): number | undefined {
    return this.byName.get(name)?.pid;
  }

  /** Process names by pid, for every process created so far. */
  get names(): ReadonlyMap<number, string> {
    return new Map(this.threads.map((t) => [t.pid, t.name]));
  }

  /** Physical page directory of a live process (switching to it if never scheduled), or null. */
  pageDirectory(pid: number): number | null {
    const t = this.threads.find((x) => x.pid === pid);
    if (t === undefined || this.system.process(pid).status.state !== "running") return null;
    if (t.pdPhys === 0 && this.system.switchTo(pid)) t.pdPhys = this.system.machine.mmu.cr3 >>> 0;
    return t.pdPhys === 0 ? null : t.pdPhys;
  }

  /** True once every process has run out of steps, ended, or the kernel panicked. */
  get finished(): boolean {
    return this.system.panic !== null || this.threads.every((t) => t.done);
  }

  /** Runs turns until the scenario ends. */
  runToEnd(): void {
    while (!this.finished) this.turn();
    this.finish();
  }

  /** Runs turns until `turns` have been executed in all (or the end). */
  runTurns(turns: number): void {
    while (!this.finished && this.turns < turns) this.turn();
    if (this.finished) this.finish();
  }

  /** Runs turns until process `name` has executed `steps` of its steps (or ended, or the scenario ended). */
  runUntilStep(name: string, steps: number): void {
    const done = (): boolean => {
      const t = this.byName.get(name);
      return t !== undefined && (t.pc >= steps || t.done);
    };
    while (!this.finished && !done()) this.turn();
    if (this.finished) this.finish();
  }

  /** Steps process `name` has executed so far (0 if not created yet). */
  stepsDone(name: string): number {
    return this.byName.get(name)?.pc ?? 0;
  }

  /** One scheduling decision: the next runnable process executes one step. */
  turn(): void {
    if (this.finished) return;
    if (this.cursor >= this.threads.length) this.endRound();
    const t = this.threads[this.cursor++];
    if (t.done) return;
    if (this.isThrottled(t) && this.anyRunnable()) {
      this.throttleSkips++;
      return;
    }
    this.execute(t, t.steps[t.pc++]);
    this.ranThisRound = true;
    this.turns++;
    if (t.pc >= t.steps.length) t.done = true;
    this.refreshDone();
  }

  /** The final sample; the result as plain data. */
  result(): RunResult {
    const s = this.system.stats();
    return {
      title: this.scenario.name,
      description: this.scenario.description,
      source: this.scenario.file,
      machine: this.options.machine ?? {},
      stats: { ...s, faults: { ...s.faults }, vmstat: { ...s.vmstat }, vmm386: { ...s.vmm386 }, tlb: { ...s.tlb } },
      processes: this.outcomes(),
      series: this.recorder.series,
      strictTlb: strictTlbFindings(this.system),
      panic: this.system.panic === null ? null : { ...this.system.panic },
      notes: [...this.notes],
      throttleSkips: this.throttleSkips,
    };
  }

  private finish(): void {
    this.recorder.sample();
    this.options.onProgress?.(this.system.stats().accesses, this.plannedAccesses);
  }

  private outcomes(): ProcessOutcome[] {
    return this.threads.map((t) => {
      const info = this.system.process(t.pid);
      const st = info.status;
      const faultReport: FaultReportData | null = st.state === "killed" ? { ...st.report } : null;
      return {
        pid: t.pid,
        name: t.name,
        parent: info.parent,
        state: st.state,
        exitCode: st.state === "exited" ? st.code : null,
        faultReport,
        summary: describeStatus(st),
        throttledTicks: info.throttledTicks,
      };
    });
  }

  private addThread(name: string, pid: number, heapBreak: number): void {
    const spec = this.scenario.processes.find((p) => p.name === name);
    const t: Thread = {
      name,
      pid,
      pc: 0,
      steps: spec?.steps ?? [],
      heapBreak,
      pdPhys: 0,
      keyBase: 0,
      throttledSeen: 0,
      done: (spec?.steps.length ?? 0) === 0,
    };
    this.threads.push(t);
    this.byName.set(name, t);
  }

  /** End of a round: the timer ticks, throttles are re-read. */
  private endRound(): void {
    this.cursor = 0;
    const ticks = this.scenario.ticksPerRound;
    if (ticks > 0 && this.ranThisRound) {
      for (const t of this.threads) t.throttledSeen = this.throttledTicks(t);
      this.tick(ticks);
    }
    this.ranThisRound = false;
  }

  /** `n` timer ticks; with `sampleEvery: tick`, a sample after each. */
  private tick(n: number): void {
    if (this.scenario.sampleEvery !== "tick") {
      this.system.tick(n);
      return;
    }
    for (let i = 0; i < n; i++) {
      this.system.tick(1);
      this.recorder.sample();
    }
  }

  /** Whether the kernel throttled `t` on the last tick. */
  private isThrottled(t: Thread): boolean {
    return this.scenario.ticksPerRound > 0 && this.throttledTicks(t) > t.throttledSeen;
  }

  private anyRunnable(): boolean {
    return this.threads.some((t) => !t.done && !this.isThrottled(t));
  }

  private throttledTicks(t: Thread): number {
    return this.system.process(t.pid).throttledTicks;
  }

  /** Marks threads whose process ended (killed, exited) as done and stops recording them. */
  private refreshDone(): void {
    for (const t of this.threads) {
      if (!t.done && this.system.process(t.pid).status.state !== "running") t.done = true;
      if (t.done && this.system.process(t.pid).status.state !== "running") this.recorder.untrack(t.pid);
    }
  }

  /** Executes one step of `t`. */
  private execute(t: Thread, step: Step): void {
    const sys = this.system;
    if (!sys.switchTo(t.pid)) return;
    if (t.pdPhys === 0) {
      t.pdPhys = sys.machine.mmu.cr3 >>> 0;
      this.recorder.track(t.pid, t.pdPhys, t.name);
    }
    t.keyBase = pageKey(sys.vmm.current.id, 0);
    this.options.references?.enter?.(step);
    switch (step.kind) {
      case "brk": {
        const to = step.to ?? t.heapBreak + step.delta;
        if (sys.brk(t.pid, to)) t.heapBreak = to;
        else this.note(t, step, `brk to ${hex(to)} refused`);
        break;
      }
      case "mmap":
        if (!sys.mmap(t.pid, step.at, step.length, step.writable ? PROT.READ | PROT.WRITE : PROT.READ)) {
          this.note(t, step, `mmap ${hex(step.at)} + ${step.length} refused`);
        }
        break;
      case "munmap":
        if (!sys.munmap(t.pid, step.at, step.length)) this.note(t, step, `munmap ${hex(step.at)} + ${step.length} refused`);
        break;
      case "touch": {
        this.touch(t, step.at, new AccessStream(this.seeded(step.spec)), step.spec.size, this.options.references);
        break;
      }
      case "fork": {
        const child = sys.fork(t.pid);
        if (child === null) this.note(t, step, `fork of ${step.child} failed`);
        else this.addThread(step.child, child, t.heapBreak);
        break;
      }
      case "exit":
        sys.exit(t.pid, step.status);
        break;
      case "copyOut":
        this.notePages(t, step.at, step.length);
        if (!copyOutStep(sys, t.pid, step)) this.note(t, step, `copyOut to ${hex(step.at)} refused`);
        break;
      case "tick":
        this.tick(step.ticks);
        if (this.scenario.sampleEvery !== "tick") this.recorder.sample();
        break;
      case "switch": {
        const target = this.byName.get(step.target);
        if (target === undefined || !sys.switchTo(target.pid)) this.note(t, step, `switch to ${step.target}: not running`);
        break;
      }
      case "pokePte":
        this.pokePte(t, step);
        break;
      case "yield":
        break;
    }
  }

  /**
   * The pattern with the run's seed (--seed, machine.seed) mixed into its
   * own, so one option re-rolls every random stream while a run without a
   * seed stays exactly reproducible from the scenario alone.
   */
  private seeded(spec: PatternSpec): PatternSpec {
    const seed = this.system.config.seed;
    if (seed === undefined) return spec;
    return { ...spec, seed: (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ spec.seed) >>> 0 };
  }

  /**
   * The access loop of a touch step: System.access per offset, sampling
   * between chunks; with a reference sink, each access's pages are noted
   * before it is made.
   */
  private touch(t: Thread, base: number, stream: AccessStream, size: number, sink: ReferenceSink | undefined): void {
    const sys = this.system;
    const pid = t.pid;
    let untilCheck = this.accessesUntilCheck();
    for (let off = stream.next(); off >= 0; off = stream.next()) {
      const va = base + off;
      if (sink !== undefined) noteAccess(sink, t.keyBase, va, size);
      if (!sys.access(pid, va, size, stream.write ? ACCESS.USER_WRITE : ACCESS.USER_READ)) break;
      if (--untilCheck <= 0) {
        this.recorder.maybeSample();
        untilCheck = this.accessesUntilCheck();
        this.options.onProgress?.(sys.stats().accesses, this.plannedAccesses);
      }
    }
  }

  /** Accesses until the next look at the recorder and the progress: the sample interval, and at most PROGRESS_EVERY. */
  private accessesUntilCheck(): number {
    return Math.min(this.recorder.accessesUntilDue, PROGRESS_EVERY);
  }

  /** Notes the pages of [at, at+length) (a copyOut writes each) in the reference sink, if any. */
  private notePages(t: Thread, at: number, length: number): void {
    const sink = this.options.references;
    if (sink === undefined) return;
    for (let page = at >>> 12; page <= (at + length - 1) >>> 12; page++) sink.note(t.keyBase + page);
  }

  /**
   * A deliberate kernel bug for teaching: rewrite the PTE of `at` in
   * physical memory and do NOT invalidate the TLB. With --strict-tlb the
   * next access served by the stale entry is reported.
   */
  private pokePte(t: Thread, step: Extract<Step, { kind: "pokePte" }>): void {
    const memory = this.system.machine.memory;
    const pde = memory.read32(t.pdPhys + (step.at >>> 22) * 4);
    if ((pde & PTE.PRESENT) === 0 || (pde & PTE.PS) !== 0) {
      this.note(t, step, `pokePte: no page table maps ${hex(step.at)}`);
      return;
    }
    const pteAddr = ((pde & ~0xfff) >>> 0) + ((step.at >>> 12) & 0x3ff) * 4;
    const pte = memory.read32(pteAddr);
    memory.write32(pteAddr, ((pte & ~step.clear) | step.set) >>> 0);
  }

  private note(t: Thread, step: Step, what: string): void {
    this.notes.push(`${t.name} (pid ${t.pid}), ${this.scenario.file}:${step.line} ${step.path}: ${what}`);
  }
}

/** Accesses the touch steps of `scenario` will make if no process dies early. */
export function scenarioAccessCount(scenario: Scenario): number {
  let n = 0;
  for (const p of scenario.processes) for (const s of p.steps) if (s.kind === "touch") n += patternAccessCount(s.spec);
  return n;
}

/** Runs `scenario` on `system` to the end and returns its result. */
export function runScenario(system: System, scenario: Scenario, options: RunnerOptions = {}): RunResult {
  const runner = new ScenarioRunner(system, scenario, options);
  runner.runToEnd();
  return runner.result();
}

/** Bytes a copyOut step hands the kernel at a time: its `length` may be gigabytes, never held whole. */
const COPY_OUT_CHUNK = 64 * 1024;

/**
 * A copyOut step, a chunk at a time: the same as one System.copyOut of all
 * its bytes (pages before a refused one keep what was written), without
 * ever making more than a chunk of them.
 */
function copyOutStep(sys: System, pid: number, step: Extract<Step, { kind: "copyOut" }>): boolean {
  if (step.text !== null) return sys.copyOut(pid, step.at, step.text);
  const chunk = new Uint8Array(Math.min(COPY_OUT_CHUNK, step.length));
  for (let i = 0; i < chunk.length; i++) chunk[i] = i & 0xff; // chunks start at multiples of 256: the same bytes each time
  for (let done = 0; done < step.length; done += chunk.length) {
    const n = Math.min(chunk.length, step.length - done);
    if (!sys.copyOut(pid, step.at + done, chunk.subarray(0, n))) return false;
  }
  return true;
}

/** Notes the page of an access of `size` bytes at `va` (both pages, if it straddles two), keyed from `keyBase`. */
function noteAccess(sink: ReferenceSink, keyBase: number, va: number, size: number): void {
  const first = va >>> 12;
  const last = (va + size - 1) >>> 12;
  sink.note(keyBase + first);
  if (last !== first) sink.note(keyBase + last);
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
