#!/usr/bin/env node
/** `vmm386`: the command-line entry point. */
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { UserError } from "./errors.js";
import { MemoryConfigError } from "../machine/physical-memory.js";

export async function main(argv: string[]): Promise<number> {
  const program = new Command("vmm386")
    .description("The EYN-OS i386 virtual memory manager on a simulated i386")
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError(false);
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError || e instanceof MemoryConfigError || isFileError(e)) {
      process.stderr.write(`vmm386: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

function isFileError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && "path" in e;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vmm386: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
