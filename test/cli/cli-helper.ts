/** Runs the CLI from source in a child process (tsx), as a user would run it. */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const MAIN = resolve("src/cli/main.ts");
/** tsx's loader by absolute URL, so the CLI can run from any directory. */
const TSX = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;

/** `vmm386 ...args` in `cwd` (default: the repository). */
export function cliIn(cwd: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cli(...args: string[]): CliRun {
  return cliIn(process.cwd(), ...args);
}
