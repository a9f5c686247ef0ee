/**
 * A plugin policy, checked where it answers. The built-ins are proven by
 * the contract tests; a plugin is code vmm386 has not seen, and a victim
 * that is not a frame it holds would be used as one: the policy-only
 * replay writes past its tables and prints a wrong miss count, the VMM
 * keeps the "victim" and ends in a misleading "out of memory". So each
 * victim a plugin offers is checked once per eviction against the frames
 * it was given (a byte per frame, kept by insert and remove: no
 * allocation), and a bad one stops the run with an InputError naming the
 * plugin file and what it returned (exit code 2 on the command line).
 * `vmm386 policy-check` builds plugins unchecked: it reports these
 * failures itself, among the rest of the contract.
 */
import { InputError } from "../machine/input-error.js";
import type { ReplacementPolicy, WorkingSetHooks } from "../kernel/replacement/policy.js";

export class CheckedPlugin implements ReplacementPolicy {
  readonly name: string;
  readonly observesReferences: boolean;
  readonly workingSet: WorkingSetHooks | undefined;
  /** 1 for each frame inserted and not removed since. */
  private readonly held: Uint8Array;
  private heldCount = 0;

  /** `inner`, the plugin loaded from `file`, built for frames below `maxFrames`. */
  constructor(
    private readonly inner: ReplacementPolicy,
    private readonly file: string,
    maxFrames: number,
  ) {
    this.name = inner.name;
    this.observesReferences = inner.observesReferences;
    this.workingSet = inner.workingSet;
    this.held = new Uint8Array(maxFrames);
  }

  get size(): number {
    return this.inner.size;
  }

  insert(pfn: number, key: number): void {
    if (this.held[pfn] === 0) this.heldCount++;
    this.held[pfn] = 1;
    this.inner.insert(pfn, key);
  }

  remove(pfn: number): void {
    if (this.held[pfn] === 1) this.heldCount--;
    this.held[pfn] = 0;
    this.inner.remove(pfn);
  }

  reference(pfn: number): void {
    this.inner.reference(pfn);
  }

  keep(pfn: number): void {
    this.inner.keep(pfn);
  }

  /** The plugin's victim, if it is a frame it holds (or -1 with none held); else stops the run naming the plugin. */
  selectVictim(incomingKey?: number): number {
    const victim = this.inner.selectVictim(incomingKey);
    if (Number.isInteger(victim) && victim >= 0 && victim < this.held.length && this.held[victim] === 1) return victim;
    if (victim === -1 && this.heldCount === 0) return victim;
    throw new InputError(`breaks the policy contract: selectVictim returned ${shown(victim)}, ${this.whyNot(victim)}`, this.file);
  }

  private whyNot(victim: unknown): string {
    if (typeof victim !== "number" || !Number.isInteger(victim)) return "not a frame number";
    if (victim === -1) return `"nothing to evict" with ${this.heldCount} frames resident`;
    if (victim < 0 || victim >= this.held.length) return `not a frame number (0 to ${this.held.length - 1})`;
    return "a frame it does not hold (never inserted, or removed since)";
  }
}

/** A returned value as the message shows it. */
function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 20))}`;
  return value === null ? "null" : typeof value;
}
