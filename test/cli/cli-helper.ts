/** Runs the CLI from source in a child process (tsx), as a user would run it. */
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UserError } from "../../src/cli/errors.js";

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
  return cliWithInput(cwd, undefined, args);
}

function cliWithInput(cwd: string, input: Uint8Array | undefined, args: string[]): CliRun {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    input,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `vmm386 ...args` with `input` piped to its standard input. */
export function cliStdin(input: Uint8Array, ...args: string[]): CliRun {
  return cliWithInput(process.cwd(), input, args);
}

/** `vmm386 ...args` without blocking the test, which can meanwhile feed a FIFO the CLI reads. */
export function cliAsync(...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], { env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function cli(...args: string[]): CliRun {
  return cliIn(process.cwd(), ...args);
}

/** The message of the UserError `f` throws; fails the test if it throws nothing or something else. */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error("expected a UserError");
}
