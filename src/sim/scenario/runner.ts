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
 *
 * A turn costs the same however many processes came before: the ring holds
 * only processes with steps left (the finished leave it at the end of a
 * round), the living are found in a map of their own, and a process that
 * has ended is looked at once more, when its outcome is reported.
 *
 * `run` advances it in slices of SLICE_ACCESSES accesses and lets the host
 * in between (host-yield.ts): a touch step longer than a slice pauses where
 * the slice ends and resumes, within the same turn, before anything else.
 * `runMoves` cuts it the same way into moves (a playground's stepping: a
 * move is one access of a touch step, or one whole other step). The
 * recorder is called at the same accesses however the run is cut, so a run
 * stepped to a point is the run made there in one go.
 */
import { ACCESS } from "../../machine/i386.js";
import { NO_PTE, walk } from "../../kernel/page-tables.js";
import { USER_HEAP_BASE } from "../../kernel/layout.js";
import { pageKey } from "../../kernel/vmm.js";
import { PROT, type System } from "../system.js";
import { describeStatus } from "../process.js";
import { Recorder } from "../recorder.js";
import { AccessStream, type PatternSpec } from "../workload/patterns.js";
import { hostDue, yieldToHost } from "../host-yield.js";
import { straddlePage } from "../trace/trace-chunk.js";
import { plannedWork, StepCursor } from "./program.js";
import { strictTlbFindings, type ProcessOutcome, type RunResult } from "./result.js";
import type { ProcessSpec, Scenario, Step } from "./types.js";

/** Samples a run aims for when the scenario sets no interval. */
const TARGET_SAMPLES = 200;

/**
 * Accesses between two progress reports at most: a run of 10^14 accesses
 * samples once every 10^12, but its progress bar must move (a fraction of
 * a second at tens of millions of accesses a second).
 */
const PROGRESS_EVERY = 1 << 22;

/**
 * Accesses in one slice of a `run`: a look at the clock costs nothing at
 * that distance, and swapping at its slowest (some thousands of faults a
 * second) a slice still ends well within a second, so a signal gets in.
 */
const SLICE_ACCESSES = 1024;

/** Where `run` stops: at the end, after a number of turns, or once a process has done a number of its steps. */
export type RunUntil = { readonly turns: number } | { readonly process: string; readonly steps: number } | undefined;

/** A touch step cut where its slice ended, to go on from there. */
interface PausedTouch {
  readonly t: Thread;
  readonly base: number;
  readonly stream: AccessStream;
  readonly size: number;
  /** Accesses it made before it paused. */
  readonly made: number;
}

/** Notes a result lists one by one; past them it says how many more there were (a fork bomb fails thousands of forks). */
const NOTES_KEPT = 50;

interface Thread {
  readonly name: string;
  readonly pid: number;
  /** Steps executed so far. */
  pc: number;
  /** Where it is in its steps: `next` is the step of its next turn. */
  readonly program: StepCursor;
  /** The heap break as this process last set it (brk with +/- is relative to it). */
  heapBreak: number;
  /** Physical address of its page directory, learnt at its first turn (CR3). */
  pdPhys: number;
  /** The kernel's policy key of its page 0 (pageKey of its address space), set at each turn. */
  keyBase: number;
  throttledSeen: number;
  /** Out of steps, or its process has ended. */
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
  /**
   * Problems that are not faults (refused brk/mmap, failed fork, missing PTE
   * for pokePte...): the first NOTES_KEPT, a note repeated in a row counted
   * in its entry; past them, counted only.
   */
  private readonly notes: { readonly text: string; times: number }[] = [];
  private notesOmitted = 0;
  /** Turns executed so far (a step is one turn). */
  turns = 0;
  /** Turns a throttled process sat out so that another could run (RunResult.throttleSkips). */
  private throttleSkips = 0;
  /** Accesses all touch steps will make (for progress). */
  readonly plannedAccesses: number;

  /** Every process the run created, in creation order (for outcomes). */
  private readonly threads: Thread[] = [];
  /** The turn order: processes with steps left, and some that finished this round. */
  private ring: Thread[] = [];
  /** Processes still running, by pid. */
  private readonly alive = new Map<number, Thread>();
  /** Threads not yet done. */
  private pending = 0;
  private readonly byName = new Map<string, Thread>();
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly options: RunnerOptions;
  private cursor = 0;
  private ranThisRound = false;
  /** A touch step cut at the end of a slice: the turn it belongs to goes on before any other. */
  private paused: PausedTouch | null = null;
  /** Moves made so far: one per access of a touch step, one per other step (and per touch of no access). */
  moves = 0;
  /** The last access a touch step made (a playground's quiz asks what it did), or null before any. */
  lastAccess: { readonly pid: number; readonly va: number; readonly write: boolean } | null = null;
  /** The move that made `lastAccess`. */
  lastAccessMove = 0;
  /** The access count when the touch loop under way started (-1: none under way), for `currentMove`. */
  private touchStart = -1;
  private finishSampled = false;
  /** The access count at which the current slice ends (Infinity outside `run`). */
  private sliceEnd = Infinity;

  constructor(system: System, scenario: Scenario, options: RunnerOptions = {}) {
    this.system = system;
    this.scenario = scenario;
    this.options = options;
    this.plannedAccesses = scenarioAccessCount(scenario);
    for (const p of scenario.processes) this.specs.set(p.name, p);
    const every =
      scenario.sampleEvery === "tick"
        ? Number.MAX_SAFE_INTEGER
        : (scenario.sampleEvery ?? Math.max(1, Math.ceil(this.plannedAccesses / TARGET_SAMPLES)));
    this.recorder = new Recorder(system, every);
    for (const p of scenario.processes) {
      if (p.forkedBy !== null) continue;
      const pid = system.spawn();
      if (pid === null) {
        this.addNote(`${p.name}: spawn failed (${system.runningCount + 1 >= system.stats().tasks.pidMax ? "the pid limit is reached" : "no memory for an address space"})`);
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

  /**
   * Physical page directory of a live process, or null. Read from the
   * kernel's record, never by switching to it: looking must not load CR3
   * (which flushes the TLB) in a run that goes on.
   */
  pageDirectory(pid: number): number | null {
    if (!this.alive.has(pid)) return null;
    const p = this.system.process(pid);
    return p.status.state !== "running" || p.pdPhys === 0 ? null : p.pdPhys >>> 0;
  }

  /** True once every process has run out of steps, ended, or the kernel panicked. */
  get finished(): boolean {
    return this.system.panic !== null || this.pending === 0;
  }

  /** Runs turns until the scenario ends. */
  runToEnd(): void {
    this.runUntil(this.stopAt(undefined));
  }

  /** Runs turns until `turns` have been executed in all (or the end). */
  runTurns(turns: number): void {
    this.runUntil(this.stopAt({ turns }));
  }

  /** Runs turns until process `name` has executed `steps` of its steps (or ended, or the scenario ended). */
  runUntilStep(name: string, steps: number): void {
    this.runUntil(this.stopAt({ process: name, steps }));
  }

  /** Runs as far as `until` says (default: the end), letting the host in between slices of work (host-yield.ts). */
  async run(until?: RunUntil): Promise<void> {
    const stop = this.stopAt(until);
    while (!this.finished && (this.paused !== null || !stop())) {
      this.sliceEnd = this.system.accessCount + SLICE_ACCESSES;
      while (!this.finished && (this.paused !== null || !stop()) && this.system.accessCount < this.sliceEnd) this.turn();
      if (hostDue()) await yieldToHost();
    }
    this.sliceEnd = Infinity;
    if (this.finished) this.finish();
  }

  /** Makes up to `budget` moves, pausing inside a touch step if need be; the moves made (fewer only at the end). */
  runMoves(budget: number): number {
    const start = this.moves;
    while (!this.finished && this.moves - start < budget) {
      this.sliceEnd = this.system.accessCount + (budget - (this.moves - start));
      this.turn();
    }
    this.sliceEnd = Infinity;
    if (this.finished) this.finish();
    return this.moves - start;
  }

  /** True while a touch step is paused partway (by a slice's or a move budget's end). */
  get midStep(): boolean {
    return this.paused !== null;
  }

  /** The move under way (1-based, `moves + 1` between moves): what happens now is stamped with it (kernel events). */
  get currentMove(): number {
    return this.touchStart < 0 ? this.moves + 1 : this.moves + (this.system.accessCount - this.touchStart);
  }

  /** Runs turns, with no slices, until `stop` (a paused touch finishes first) or the end. */
  private runUntil(stop: () => boolean): void {
    while (!this.finished && (this.paused !== null || !stop())) this.turn();
    if (this.finished) this.finish();
  }

  /** The test for where `until` stops. */
  private stopAt(until: RunUntil): () => boolean {
    if (until === undefined) return () => false;
    if ("turns" in until) return () => this.turns >= until.turns;
    return () => {
      const t = this.byName.get(until.process);
      return t !== undefined && (t.pc >= until.steps || t.done);
    };
  }

  /** Steps process `name` has executed so far (0 if not created yet). */
  stepsDone(name: string): number {
    return this.byName.get(name)?.pc ?? 0;
  }

  /** One scheduling decision: the next runnable process executes one step (or a paused touch step goes on). */
  turn(): void {
    if (this.paused !== null) {
      const { t, base, stream, size, made } = this.paused;
      this.paused = null;
      if (this.touch(t, base, stream, size, this.options.references, made)) this.endTurn(t);
      return;
    }
    if (this.finished) return;
    if (this.cursor >= this.ring.length) this.endRound();
    const t = this.ring[this.cursor++];
    if (t.done) return;
    if (this.isThrottled(t) && this.anyRunnable()) {
      this.throttleSkips++;
      return;
    }
    const step = t.program.take() as Step;
    t.pc++;
    const moves = this.moves;
    const over = this.execute(t, step);
    // A step that made no access of a touch (any other step, a touch of none) is one move.
    if (this.moves === moves) this.moves++;
    if (over) this.endTurn(t);
  }

  /** `t`'s step is done: the turn counts. */
  private endTurn(t: Thread): void {
    this.ranThisRound = true;
    this.turns++;
    if (t.program.next === null) this.markDone(t);
    this.noticeEnded(t);
  }

  /** The final sample; the result as plain data. */
  result(): RunResult {
    const s = this.system.stats();
    return {
      title: this.scenario.name,
      description: this.scenario.description,
      source: this.scenario.file,
      machine: this.options.machine ?? {},
      stats: { ...s, faults: { ...s.faults }, vmstat: { ...s.vmstat }, vmm386: { ...s.vmm386 }, tlb: { ...s.tlb }, tasks: { ...s.tasks } },
      processes: this.outcomes(),
      series: this.recorder.series,
      strictTlb: strictTlbFindings(this.system),
      panic: this.system.panic === null ? null : { ...this.system.panic },
      notes: this.noteLines(),
      throttleSkips: this.throttleSkips,
    };
  }

  private finish(): void {
    if (this.finishSampled) return;
    this.finishSampled = true;
    this.recorder.sample();
    this.options.onProgress?.(this.system.stats().accesses, this.plannedAccesses);
  }

  private outcomes(): ProcessOutcome[] {
    return this.threads.map((t) => {
      const info = this.system.process(t.pid);
      const st = info.status;
      const faultReport = st.state === "killed" ? { ...st.report } : null;
      return {
        pid: t.pid,
        name: t.name,
        parent: info.parent,
        state: st.state,
        exitCode: st.state === "exited" ? st.code : null,
        faultReport,
        summary: describeStatus(st),
        throttledTicks: info.throttledTicks,
        stalledTicks: info.stalledTicks,
      };
    });
  }

  private addThread(name: string, pid: number, heapBreak: number): void {
    const program = new StepCursor(this.specs.get(name)?.steps ?? []);
    const t: Thread = { name, pid, pc: 0, program, heapBreak, pdPhys: 0, keyBase: 0, throttledSeen: 0, done: program.next === null };
    this.threads.push(t);
    this.byName.set(name, t);
    this.alive.set(pid, t);
    this.recorder.track(pid, name);
    if (t.done) return;
    this.ring.push(t);
    this.pending++;
  }

  /** `t` has no step left to run, or no process to run it. */
  private markDone(t: Thread): void {
    if (t.done) return;
    t.done = true;
    this.pending--;
  }

  /**
   * After `t`'s step: a process that ended is done and no longer recorded.
   * Fewer running than the runner knows of says one did: `t`, whose step
   * it was, or (should the System ever end others) one found among the
   * living.
   */
  private noticeEnded(t: Thread): void {
    if (this.system.runningCount === this.alive.size) return;
    if (this.alive.has(t.pid) && !this.system.isRunning(t.pid)) this.processEnded(t);
    if (this.system.runningCount === this.alive.size) return;
    for (const other of [...this.alive.values()]) if (!this.system.isRunning(other.pid)) this.processEnded(other);
  }

  private processEnded(t: Thread): void {
    this.alive.delete(t.pid);
    this.recorder.untrack(t.pid);
    this.markDone(t);
  }

  /** End of a round: the finished leave the ring, the timer ticks, throttles are re-read. */
  private endRound(): void {
    this.cursor = 0;
    if (this.ring.some((t) => t.done)) this.ring = this.ring.filter((t) => !t.done);
    const ticks = this.scenario.ticksPerRound;
    if (ticks > 0 && this.ranThisRound) {
      for (const t of this.ring) t.throttledSeen = this.throttledTicks(t);
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
    return this.ring.some((t) => !t.done && !this.isThrottled(t));
  }

  private throttledTicks(t: Thread): number {
    return this.system.process(t.pid).throttledTicks;
  }

  /** Executes one step of `t`; false when a touch step paused at the end of a slice (its turn is not over). */
  private execute(t: Thread, step: Step): boolean {
    const sys = this.system;
    if (!sys.switchTo(t.pid)) return true;
    if (t.pdPhys === 0) t.pdPhys = sys.machine.mmu.cr3 >>> 0;
    t.keyBase = pageKey(sys.vmm.current.id, 0);
    this.options.references?.enter?.(step);
    switch (step.kind) {
      case "brk":
      case "mmap":
      case "munmap":
        this.changeMapping(t, step);
        break;
      case "touch":
        return this.touch(t, step.at, new AccessStream(this.seeded(step.spec)), step.spec.size, this.options.references);
      case "fork": {
        const child = sys.fork(t.pid);
        if (child === null) this.note(t, step, `fork of ${step.child} failed: ${this.forkFailure()}`);
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
    return true;
  }

  /** A brk, mmap or munmap step; a refusal is noted, as the system call's error return would be. */
  private changeMapping(t: Thread, step: Extract<Step, { kind: "brk" | "mmap" | "munmap" }>): void {
    const sys = this.system;
    if (step.kind === "brk") {
      const to = step.to ?? t.heapBreak + step.delta;
      if (sys.brk(t.pid, to)) t.heapBreak = to;
      else this.note(t, step, `brk to ${hex(to)} refused`);
    } else if (step.kind === "mmap") {
      if (!sys.mmap(t.pid, step.at, step.length, step.writable ? PROT.READ | PROT.WRITE : PROT.READ)) {
        this.note(t, step, `mmap ${hex(step.at)} + ${step.length} refused`);
      }
    } else if (!sys.munmap(t.pid, step.at, step.length)) {
      this.note(t, step, `munmap ${hex(step.at)} + ${step.length} refused`);
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
   * before it is made. True once the stream ends (or the process died of an
   * access); false when it paused at the end of the slice (in `paused`),
   * which it does only with accesses left: a step that ended is over
   * however the run was cut. `made`: accesses it made before (resumed).
   */
  private touch(t: Thread, base: number, stream: AccessStream, size: number, sink: ReferenceSink | undefined, made = 0): boolean {
    const sys = this.system;
    const pid = t.pid;
    const start = sys.accessCount;
    this.touchStart = start;
    let untilCheck = this.accessesUntilCheck();
    let va = -1;
    let over = true;
    for (let off = stream.next(); off >= 0; off = stream.next()) {
      va = base + off;
      if (sink !== undefined) noteAccess(sink, t.keyBase, va, size);
      if (!sys.access(pid, va, size, stream.write ? ACCESS.USER_WRITE : ACCESS.USER_READ)) break;
      if (--untilCheck <= 0) {
        this.recorder.maybeSample();
        const done = sys.accessCount;
        this.options.onProgress?.(done, this.plannedAccesses);
        if (done >= this.sliceEnd && made + (done - start) < stream.total) {
          this.paused = { t, base, stream, size, made: made + (done - start) };
          over = false;
          break;
        }
        untilCheck = this.accessesUntilCheck();
      }
    }
    this.touchDone(pid, sys.accessCount - start, va, stream.write);
    return over;
  }

  /** A touch loop made `accesses` moves, the last at `va`. */
  private touchDone(pid: number, accesses: number, va: number, write: boolean): void {
    this.touchStart = -1;
    this.moves += accesses;
    if (accesses === 0) return;
    this.lastAccess = { pid, va: va >>> 0, write };
    this.lastAccessMove = this.moves;
  }

  /** Accesses until the next look at the recorder, the progress and the slice: the sample interval, at most PROGRESS_EVERY, at most to the slice's end. */
  private accessesUntilCheck(): number {
    const sliceLeft = this.sliceEnd - this.system.accessCount;
    return Math.max(1, Math.min(this.recorder.accessesUntilDue, PROGRESS_EVERY, sliceLeft));
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
    const pteAddr = walk(memory, t.pdPhys, step.at);
    if (pteAddr === NO_PTE) {
      this.note(t, step, `pokePte: no page table maps ${hex(step.at)}`);
      return;
    }
    const pte = memory.read32(pteAddr);
    memory.write32(pteAddr, ((pte & ~step.clear) | step.set) >>> 0);
  }

  /** Why the fork just made failed, in words. */
  private forkFailure(): string {
    if (this.system.forkError !== "EAGAIN") return "no memory for the child's address space (ENOMEM)";
    const tasks = this.system.stats().tasks;
    return `the pid limit is reached (EAGAIN: pidMax ${tasks.pidMax}, ${tasks.running} processes running)`;
  }

  private note(t: Thread, step: Step, what: string): void {
    this.addNote(`${t.name} (pid ${t.pid}), ${this.scenario.file}:${step.line} ${step.path}: ${what}`);
  }

  private addNote(text: string): void {
    const last = this.notes[this.notes.length - 1];
    if (last !== undefined && last.text === text) last.times++;
    else if (this.notes.length < NOTES_KEPT) this.notes.push({ text, times: 1 });
    else this.notesOmitted++;
  }

  /** The notes, one line each: "... (12 times)" for a repeated one, and how many more there were. */
  private noteLines(): string[] {
    const lines = this.notes.map((n) => (n.times === 1 ? n.text : `${n.text} (${n.times.toLocaleString("en-US")} times)`));
    if (this.notesOmitted > 0) lines.push(`${this.notesOmitted.toLocaleString("en-US")} more notes not listed`);
    return lines;
  }
}

/** Accesses the touch steps of `scenario` will make if no process dies early (each forked copy of a process counted). */
export function scenarioAccessCount(scenario: Scenario): number {
  return plannedWork(scenario).accesses;
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
  sink.note(keyBase + (va >>> 12));
  const second = straddlePage(va, size);
  if (second >= 0) sink.note(keyBase + second);
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
