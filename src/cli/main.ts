#!/usr/bin/env node
/** `vmm386`: the command-line entry point. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { UserError } from "./errors.js";
import { MemoryConfigError } from "../machine/physical-memory.js";
import { SizeFormatError } from "../machine/units.js";
import { TlbShapeError } from "../machine/tlb.js";
import { DiskFormatError, DiskIoError } from "../machine/block-device.js";
import { VectorFormatError } from "../machine/conformance.js";
import { BootError } from "../kernel/boot.js";
import { LayoutError } from "../sim/trace/layout-mapper.js";
import { TraceFormatError } from "../sim/trace/trace-error.js";
import { RecordError } from "../sim/trace/record.js";
import { ScenarioError } from "../sim/scenario/types.js";
import { OutputFileError } from "../sim/output-file.js";
import { SystemUsageError } from "../sim/system-checks.js";
import { describeHostError, isHostError } from "../machine/host-file.js";

/**
 * Errors that describe bad input (options, files, images, scenario keys):
 * printed as one line with exit code 2. Anything else is a bug.
 */
const USER_ERRORS = [
  UserError,
  MemoryConfigError,
  SizeFormatError,
  TlbShapeError,
  DiskFormatError,
  DiskIoError,
  VectorFormatError,
  BootError,
  LayoutError,
  TraceFormatError,
  RecordError,
  ScenarioError,
  OutputFileError,
  SystemUsageError,
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command("vmm386")
    .description("The EYN-OS i386 virtual memory manager on a simulated i386")
    .version(packageVersion(), "-V, --version", "print the version of vmm386")
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError(false);
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (USER_ERRORS.some((kind) => e instanceof kind)) {
      process.stderr.write(`vmm386: ${(e as Error).message}\n`);
      return 2;
    }
    if (isHostError(e)) {
      process.stderr.write(`vmm386: ${describeHostError(e)}\n`);
      return 2;
    }
    throw e;
  }
}

/** The version in the nearest package.json above this file (src/cli/, dist/cli/ and the bench's dist-bench/src/cli/ alike). */
function packageVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      return (JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { version: string }).version;
    } catch (e) {
      if (dir.pathname === "/") throw e;
    }
  }
}

// `vmm386 ... | head`: the reader went away; stop quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vmm386: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
