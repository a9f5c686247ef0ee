/**
 * `vmm386`: parses the command line, runs the command, and turns what went
 * wrong into one line on stderr. `main` takes the invocation's streams and
 * returns its exit status, so it runs in-process as well as in the bin:
 * 0 done, 1 a run failed (a killed process, a panic, a lost byte), 2 the
 * user's input was refused, 70 a bug (with its stack).
 */
import { Command, CommanderError } from "commander";
import { commands, type Register } from "./commands/index.js";
import { errorLine } from "./errors.js";
import { Invocation, processIo, type CliIo } from "./io.js";
import { packageVersion } from "../sim/package-files.js";

/** Runs `vmm386 ...argv` with `io`; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const invocation = new Invocation(io);
  const program = new Command("vmm386")
    .description("The EYN-OS i386 virtual memory manager on a simulated i386")
    // package.json is read only when the version is asked for.
    .version(asksVersion(argv) ? packageVersion() : "", "-V, --version", "print the version of vmm386")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(s) })
    .showHelpAfterError(false);
  try {
    for (const register of await registrations(argv)) register(program, invocation);
    await program.parseAsync([...argv], { from: "user" });
    return invocation.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const line = errorLine(e);
    if (line !== null) {
      io.stderr.write(`vmm386: ${line}\n`);
      return 2;
    }
    io.stderr.write(`vmm386: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}

/**
 * The commands to register for `argv`: the one it names, none for a bare
 * `--version`, and all of them otherwise (help lists them; an unknown name
 * is refused by the parser, which lists them too).
 */
async function registrations(argv: readonly string[]): Promise<Register[]> {
  // The program's own options (-V, -h) take no values: the first other word names the command.
  const name = argv.find((a) => !a.startsWith("-"));
  if (name !== undefined && Object.hasOwn(commands, name)) return [(await commands[name]()).register];
  if (name === undefined && asksVersion(argv)) return [];
  // A module may register more than one command (policies and policy-check): each once.
  return [...new Set(await Promise.all(Object.values(commands).map(async (load) => (await load()).register)))];
}

function asksVersion(argv: readonly string[]): boolean {
  return argv.some((a) => a === "-V" || a === "--version");
}
