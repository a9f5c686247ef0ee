/**
 * What to run: the built-in demo, an example from examples/, a preset, a
 * typed reference string or an uploaded trace; the policies and frame
 * counts to compare it under (up to four lanes) and the seed.
 */
import { POLICY_NAMES } from "../../kernel/replacement/index.js";
import { MAX_LANES } from "../../sim/timeline/lockstep.js";
import { EXAMPLES } from "../examples.js";

export interface RunPickerProps {
  readonly source: string;
  readonly policies: readonly string[];
  readonly seed: string;
  readonly frames: string;
  readonly refs: string;
  readonly busy: boolean;
  readonly quiz: boolean;
  onSource(source: string): void;
  onPolicies(policies: string[]): void;
  onSeed(seed: string): void;
  onFrames(frames: string): void;
  onRefs(refs: string): void;
  onRunRefs(): void;
  onRun(): void;
  onQuiz(quiz: boolean): void;
  onShare(): void;
  onTrace(file: File): void;
}

export function RunPicker(p: RunPickerProps) {
  return (
    <section class="panel picker" aria-label="what to run">
      <SourceSelect source={p.source} onSource={p.onSource} />
      <PolicyChecks policies={p.policies} onPolicies={p.onPolicies} />
      <label>
        frames{" "}
        <input value={p.frames} onInput={(e) => p.onFrames((e.target as HTMLInputElement).value)} size={8} aria-label="user frames, one lane each (3, 4)" placeholder="run's own" />
      </label>
      <label>
        seed <input value={p.seed} onInput={(e) => p.onSeed((e.target as HTMLInputElement).value)} size={8} inputMode="numeric" aria-label="seed" placeholder="scenario's" />
      </label>
      <button type="button" class="primary" onClick={p.onRun} disabled={p.busy}>
        Run
      </button>
      <label class="refs">
        reference string{" "}
        <input value={p.refs} onInput={(e) => p.onRefs((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === "Enter" && p.onRunRefs()} aria-label="reference string (page numbers: 1,2,3,4,1,2,5)" placeholder="1,2,3,4,1,2,5" />
      </label>
      <button type="button" onClick={p.onRunRefs} disabled={p.busy || p.refs.trim() === ""}>
        Run string
      </button>
      <TraceUpload busy={p.busy} onTrace={p.onTrace} />
      <label>
        <input type="checkbox" checked={p.quiz} onChange={(e) => p.onQuiz((e.target as HTMLInputElement).checked)} /> quiz mode
      </label>
      <button type="button" onClick={p.onShare}>
        Copy link
      </button>
    </section>
  );
}

/** The menu of runs: the demo, examples/, the presets, and the run under way when it is none of them. */
function SourceSelect(p: Pick<RunPickerProps, "source" | "onSource">) {
  return (
    <label>
      run{" "}
      <select value={p.source.startsWith("example:") || p.source.startsWith("preset:") || p.source.startsWith("trace:") || p.source.startsWith("refs:") || p.source === "demo" ? p.source : "custom"} onChange={(e) => p.onSource((e.target as HTMLSelectElement).value)} aria-label="scenario">
        <option value="demo">demo: fork, COW and swapping</option>
        <optgroup label="examples/">
          {EXAMPLES.map((x) => (
            <option key={x.name} value={`example:${x.name}`}>
              {x.name}.yaml — {x.title}
            </option>
          ))}
        </optgroup>
        <optgroup label="presets">
          <option value="preset:belady">Belady's anomaly (FIFO, 3 vs 4 frames)</option>
        </optgroup>
        <option value="custom" disabled>
          edited scenario
        </option>
        {p.source.startsWith("refs:") && (
          <option value={p.source} disabled>
            reference string {p.source.slice("refs:".length)}
          </option>
        )}
        {p.source.startsWith("trace:") && (
          <option value={p.source} disabled>
            uploaded trace {p.source.slice("trace:".length)}
          </option>
        )}
      </select>
    </label>
  );
}

/** The policies to compare, one lane each, up to MAX_LANES. */
function PolicyChecks(p: Pick<RunPickerProps, "policies" | "onPolicies">) {
  const toggle = (name: string, on: boolean) => {
    const next = on ? [...p.policies, name] : p.policies.filter((x) => x !== name);
    p.onPolicies(POLICY_NAMES.filter((n) => next.includes(n)).slice(0, MAX_LANES));
  };
  return (
    <fieldset class="policies">
      <legend>policies (up to {MAX_LANES}; none: the scenario's own)</legend>
      {POLICY_NAMES.map((name) => (
        <label key={name}>
          <input type="checkbox" checked={p.policies.includes(name)} disabled={!p.policies.includes(name) && p.policies.length >= MAX_LANES} onChange={(e) => toggle(name, (e.target as HTMLInputElement).checked)} /> {name}
        </label>
      ))}
    </fieldset>
  );
}

/** A trace file to upload and replay. */
function TraceUpload(p: Pick<RunPickerProps, "busy" | "onTrace">) {
  return (
    <label class="upload">
      trace{" "}
      <input
        type="file"
        aria-label="upload a trace (valgrind lackey, reference string or vmm386 binary; gzip ok)"
        disabled={p.busy}
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          if (file !== undefined) p.onTrace(file);
          input.value = "";
        }}
      />
    </label>
  );
}
