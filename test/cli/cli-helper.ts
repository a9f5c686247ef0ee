/**
 * Runs the CLI as a test needs it: in-process through `main(argv, io)` with
 * captured streams (the refusal tables and output checks: milliseconds a
 * call), or spawned as a user runs it (one smoke test per command, pipes,
 * FIFOs, signals): the bin as `npm run build` bundles it, which the suite's
 * global setup builds (test/global-setup.ts).
 */
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { PassThrough, Readable, Writable } from "node:stream";
import { main } from "../../src/cli/cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { InputError } from "../../src/machine/input-error.js";
import { TEST_BIN } from "./test-bin.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node` arguments that run the bundled bin. */
export const CLI_ARGS: readonly string[] = [TEST_BIN];

/** A stream that keeps what is written to it, as text. */
class Captured extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    done();
  }
}

/** `vmm386 ...args`, in this process, with `input` (if any) on its standard input. */
export function cliWith(input: Uint8Array | undefined, ...args: string[]): Promise<CliRun> {
  return cliOn({ input }, ...args);
}

/** `vmm386 ...args`, in this process, with `input` on its standard input and progress shown through `progress`. */
export async function cliOn(options: { input?: Uint8Array; progress?: CliIo["progress"] }, ...args: string[]): Promise<CliRun> {
  const stdout = new Captured();
  const stderr = new Captured();
  const stdin = options.input === undefined ? new PassThrough().end() : Readable.from([Buffer.from(options.input)]);
  const io: CliIo = { stdout, stderr, stdin: stdin as CliIo["stdin"], progress: options.progress };
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `vmm386 ...args`, in this process. */
export function cli(...args: string[]): Promise<CliRun> {
  return cliWith(undefined, ...args);
}

/**
 * `vmm386 ...args` in this process, run from `cwd` (relative paths in the
 * arguments and scenarios are the user's). The working directory is the
 * process's: tests of one file run one at a time, and each file has a
 * process of its own (vitest's forks pool), so the change is seen by nobody else.
 */
export async function cliIn(cwd: string, ...args: string[]): Promise<CliRun> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await cli(...args);
  } finally {
    process.chdir(before);
  }
}

/** `vmm386 ...args` spawned from source, as a user runs it (`input` piped to its standard input). */
export function spawnCli(args: readonly string[], options: { input?: Uint8Array; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [...CLI_ARGS, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `vmm386 ...args` spawned, without blocking the test (which can meanwhile feed a FIFO the CLI reads, or signal it). */
export function spawnCliAsync(args: readonly string[], options: SpawnOptions = {}): { child: ReturnType<typeof spawn>; done: Promise<CliRun & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], { env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"], ...options });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}

/** The message of the InputError `f` throws; fails the test if it throws nothing or something else. */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error("expected an InputError");
}
