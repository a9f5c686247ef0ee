/**
 * The point as `vmm386 inspect --step N --json` prints it (all views), so a
 * student can check the page against the command line, or copy it. Built
 * only at scenario step boundaries, where inspect can stop.
 */
import { INSPECT_VIEWS } from "../../report/inspect-state.js";

/** `options`: the command line's options for the lane shown (--policy, --user-frames, --seed), as words. */
export function InspectJson(props: { inspect: unknown; step: number; file: string; options: readonly string[] }) {
  if (props.inspect === null) return null;
  return (
    <section class="panel" aria-labelledby="inspect-title">
      <details>
        <summary id="inspect-title">
          <code>
            vmm386 inspect {props.file} --step {props.step} --show {INSPECT_VIEWS.join(",")} --json{props.options.map((o) => ` ${o}`).join("")}
          </code>
        </summary>
        <pre class="inspect-json" data-testid="inspect-json">{JSON.stringify(props.inspect)}</pre>
      </details>
    </section>
  );
}
