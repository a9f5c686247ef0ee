/** Runs one vmm386 command in this process (no child, no start-up cost) to see what it refuses, and how. */
import { Command } from "commander";
import type { Register } from "../../src/cli/commands/index.js";

/** The error `vmm386 ...args` throws, through the command registered by `register`; fails if it throws none. */
export async function commandError(register: Register, ...args: string[]): Promise<Error> {
  const program = new Command("vmm386").exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
  throw new Error(`vmm386 ${args.join(" ")} refused nothing`);
}
