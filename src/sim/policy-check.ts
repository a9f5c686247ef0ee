/**
 * The replacement-policy contract, checked: what `vmm386 policy-check` runs
 * on a plugin (and the tests on every built-in). A policy passes when
 *
 * - under random VMM-like use (loads, unmaps, accesses, evictions with and
 *   without the incoming key, runs of failed evictions) it tracks exactly
 *   the resident frames, never offers a frame that is not resident (-1 only
 *   when none is), and in `size` failed evictions in a row offers every
 *   resident frame once — keep, remove and insert consistent;
 * - it is deterministic: the same seeded operations give the same victims,
 *   and the same reference string the same misses;
 * - it survives the torture run (src/sim/torture.ts): random fork, exit,
 *   read, write, brk, mmap, munmap and copy-out through the whole VMM with
 *   the policy choosing every victim, every byte checked, no leak.
 *
 * Each check is a value: a name, pass or fail, and one line of detail. An
 * exception thrown by the policy fails the check it happened in.
 */
import type { ReplacementHost, ReplacementPolicy } from "../kernel/replacement/index.js";
import { replayReferenceString } from "./policy-replay.js";
import { policyFactory, type PolicyChoice } from "./policy-spec.js";
import { TORTURE_MACHINE, randomOps, runTorture, tortureLosses } from "./torture.js";
import { Rng } from "./workload/rng.js";

export interface PolicyCheck {
  readonly name: "contract" | "deterministic" | "torture";
  readonly ok: boolean;
  /** What was run, or what went wrong (one line). */
  readonly detail: string;
}

export interface PolicyCheckOptions {
  readonly seed: number;
  /** Random operation sequences of the contract check. */
  readonly sequences?: number;
  /** Operations of the torture run. */
  readonly tortureOps?: number;
}

const MAX_FRAMES = 24;
const CAPACITY = 16;
const SEQUENCE_OPS = 300;
const KEYS = 60;

/** Runs the three checks on `choice` (a loaded plugin or a built-in); stops at none, so every verdict is reported. */
export function checkPolicy(choice: PolicyChoice, options: PolicyCheckOptions): PolicyCheck[] {
  const sequences = options.sequences ?? 200;
  return [
    guarded("contract", () => contract(choice, options.seed, sequences)),
    guarded("deterministic", () => deterministic(choice, options.seed)),
    guarded("torture", () => torture(choice, options.seed, options.tortureOps ?? 3000)),
  ];
}

function guarded(name: PolicyCheck["name"], run: () => string | { problem: string }): PolicyCheck {
  try {
    const r = run();
    return typeof r === "string" ? { name, ok: true, detail: r } : { name, ok: false, detail: r.problem };
  } catch (e) {
    return { name, ok: false, detail: `the policy threw: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}` };
  }
}

/** Accessed bits as a VMM keeps them: set on access, cleared when the policy asks. */
class Bits implements ReplacementHost {
  readonly bits = new Uint8Array(MAX_FRAMES);
  testAndClearReferenced(pfn: number): boolean {
    const was = this.bits[pfn] !== 0;
    this.bits[pfn] = 0;
    return was;
  }
}

/** What a VMM does to a policy, one random step at a time; returns a problem or null. */
class VmmLikeUse {
  readonly host = new Bits();
  readonly policy: ReplacementPolicy;
  /** Victims offered, in order (for the determinism check). */
  readonly offers: number[] = [];
  private readonly resident = new Map<number, number>();
  private readonly free = Array.from({ length: MAX_FRAMES }, (_, i) => MAX_FRAMES - 1 - i);

  constructor(choice: PolicyChoice) {
    this.policy = policyFactory(choice, { checked: false })({ maxFrames: MAX_FRAMES, capacity: CAPACITY, host: this.host });
  }

  step(rng: Rng): string | null {
    const kind = rng.below(5);
    if (kind === 0) this.load(rng.below(KEYS));
    else if (kind === 1) this.unmap(rng);
    else if (kind === 2) this.access(rng);
    else if (kind === 3) return this.evict(rng.below(KEYS), rng.below(2) === 0) ?? this.sizeProblem();
    else return this.failingEvictions() ?? this.sizeProblem();
    return this.sizeProblem();
  }

  private load(key: number): void {
    const f = this.free.pop();
    if (f === undefined) return;
    this.resident.set(f, key);
    this.host.bits[f] = 1;
    this.policy.insert(f, key);
  }

  private unmap(rng: Rng): void {
    if (this.resident.size === 0) return;
    const f = [...this.resident.keys()][rng.below(this.resident.size)];
    this.resident.delete(f);
    this.free.push(f);
    this.policy.remove(f);
  }

  private access(rng: Rng): void {
    if (this.resident.size === 0) return;
    const f = [...this.resident.keys()][rng.below(this.resident.size)];
    this.host.bits[f] = 1;
    if (this.policy.observesReferences) this.policy.reference(f);
  }

  private evict(key: number, named: boolean): string | null {
    const v = named ? this.policy.selectVictim(key) : this.policy.selectVictim();
    this.offers.push(v);
    if (this.resident.size === 0) return v === -1 ? null : `offered frame ${v} with nothing resident (expected -1)`;
    if (!this.resident.has(v)) return `offered frame ${v}, which is not resident`;
    this.policy.remove(v);
    this.resident.set(v, key);
    this.host.bits[v] = 1;
    this.policy.insert(v, key);
    return null;
  }

  /** Evictions keep failing (keep): in `size` tries every resident frame is offered once, twice over. */
  private failingEvictions(): string | null {
    if (this.resident.size === 0) return null;
    for (let round = 0; round < 2; round++) {
      const offered = new Set<number>();
      for (let i = 0; i < this.resident.size; i++) {
        const v = this.policy.selectVictim();
        this.offers.push(v);
        if (!this.resident.has(v)) return `offered frame ${v}, which is not resident, after failed evictions`;
        if (offered.has(v)) return `offered frame ${v} twice in ${this.resident.size} failed evictions (each resident frame once is the contract)`;
        offered.add(v);
        this.policy.keep(v);
      }
    }
    return null;
  }

  private sizeProblem(): string | null {
    const size = this.policy.size;
    return size === this.resident.size ? null : `size is ${size} with ${this.resident.size} frames resident`;
  }
}

function contract(choice: PolicyChoice, seed: number, sequences: number): string | { problem: string } {
  for (let s = 0; s < sequences; s++) {
    const rng = new Rng(seed * 7919 + s);
    const use = new VmmLikeUse(choice);
    for (let i = 0; i < SEQUENCE_OPS; i++) {
      const problem = use.step(rng);
      if (problem !== null) return { problem: `${problem} (sequence ${s}, operation ${i})` };
    }
  }
  return `${sequences} random sequences of ${SEQUENCE_OPS} VMM operations: only resident frames offered, size exact, each frame once per round of failed evictions`;
}

function deterministic(choice: PolicyChoice, seed: number): string | { problem: string } {
  const runs = [0, 1].map(() => {
    const rng = new Rng(seed);
    const use = new VmmLikeUse(choice);
    for (let i = 0; i < SEQUENCE_OPS; i++) use.step(rng);
    return use.offers;
  });
  const at = runs[0].findIndex((v, i) => v !== runs[1][i]);
  if (at >= 0 || runs[0].length !== runs[1].length) return { problem: `the same operations gave different victims (offer ${at}: ${runs[0][at]} then ${runs[1][at]})` };
  const refs = localString(seed, 20_000);
  const misses = [0, 1].map(() => replayReferenceString(refs, { frames: CAPACITY, policy: choice }).misses);
  if (misses[0] !== misses[1]) return { problem: `the same reference string gave ${misses[0]} then ${misses[1]} misses` };
  return `same victims for the same operations; same misses (${misses[0]}) for the same 20,000-reference string`;
}

function torture(choice: PolicyChoice, seed: number, ops: number): string | { problem: string } {
  const summary = runTorture(
    { ramBytes: TORTURE_MACHINE.ramBytes, swapBytes: TORTURE_MACHINE.swapBytes, policy: choice, userFrames: 24, maxProcesses: 4, allowOutOfMemory: true, seed },
    randomOps(seed, ops),
  );
  const lost = tortureLosses(summary);
  if (lost > 0) {
    return { problem: `${summary.problems[0] ?? `${lost} losses`} (torture seed ${seed}, ${ops} operations)` };
  }
  return `${ops} random operations through the VMM (24 user frames, ${summary.vmstat.pswpout} pages swapped out): every byte read back, invariants hold, nothing leaked`;
}

/** A reference string with locality: a drifting hot set and occasional far pages. */
function localString(seed: number, length: number): Int32Array {
  const rng = new Rng(seed);
  const out = new Int32Array(length);
  let base = 0;
  for (let i = 0; i < length; i++) {
    if (rng.below(500) === 0) base += 8;
    out[i] = rng.below(10) === 0 ? rng.below(200) : base + rng.below(24);
  }
  return out;
}
