/** `vmm386 inspect` run in this process (main(argv, io), standard output captured), for comparing the playground with it. */
import { cli } from "../cli/cli-helper.js";
import { INSPECT_VIEWS } from "../../src/report/inspect-state.js";

/** What `vmm386 inspect FILE --step N --show ALL --json ...options` prints, parsed. */
export async function inspectCommand(file: string, step: number, ...options: string[]): Promise<unknown> {
  const run = await cli("inspect", file, "--step", String(step), "--show", INSPECT_VIEWS.join(","), "--json", ...options);
  if (run.code !== 0) throw new Error(`vmm386 inspect exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
