/**
 * `vmm386 record [-o FILE] [--max-accesses N] [replay options] -- PROGRAM [ARGS...]`:
 * runs PROGRAM under Valgrind's lackey and writes its memory trace to FILE
 * (gzip'd when FILE ends in .gz), or, without -o, replays the trace as it
 * comes, with `replay`'s options and output. Spawning, streaming and cutting
 * are src/sim/trace/record.ts's; this parses and prints.
 */
import type { Command } from "commander";
import { InputError } from "../../machine/input-error.js";
import { STDOUT_PATH } from "../../sim/output-file.js";
import { Recording, recordToFile, type RecordOutcome } from "../../sim/trace/record.js";
import { TraceInput } from "../../sim/trace/trace-input.js";
import type { Invocation } from "../io.js";
import { integer } from "../options.js";
import { addReplayOptions, replayInput, type ReplayCommandOptions } from "./replay.js";

interface RecordCommandOptions extends ReplayCommandOptions {
  output?: string;
  force?: boolean;
  maxAccesses?: string;
}

/** The options that go with -o (--force: replace FILE even if it is not a lackey trace); the rest are replay's. */
const OUTPUT_OPTIONS: ReadonlySet<string> = new Set(["output", "force", "maxAccesses"]);

export function register(program: Command, inv: Invocation): void {
  const cmd = program
    .command("record")
    .description("Run a program under Valgrind's lackey: write its memory trace (-o FILE), or replay it as it comes")
    .argument("<program>", "the program to trace (put -- before it when it takes options)")
    .argument("[args...]", "its arguments")
    .option("-o, --output <file>", "write the trace to FILE (gzip'd if it ends in .gz; - for standard output) instead of replaying it")
    .option("--max-accesses <n>", "stop after N accesses (the program is then ended)");
  addReplayOptions(cmd)
    .addHelpText("after", RECORD_HELP)
    .action((prog: string, args: string[], options: RecordCommandOptions) => record(inv, cmd, prog, args, options));
}

const RECORD_HELP = `
Examples:
  vmm386 record -o ls.lackey.gz -- /bin/ls -l /usr     # write the trace (the program's output as usual)
  vmm386 record --max-accesses 1000000 --user-frames 64 --tlb off -- python3 -c 'print(1)'
                                                      # replay it as it comes (the program's output on stderr)
Valgrind must be on the PATH. Without -o, record takes replay's options and prints what replay
prints, then how the program ended; -o takes none of them.
`;

async function record(inv: Invocation, cmd: Command, program: string, args: string[], options: RecordCommandOptions): Promise<void> {
  const maxAccesses = options.maxAccesses === undefined ? undefined : integer(options.maxAccesses, "--max-accesses", 1, Number.MAX_SAFE_INTEGER);
  if (options.output !== undefined) {
    refuseReplayOptions(cmd, options);
    const output = options.output;
    const outcome = await recordToFile({ program, args, maxAccesses, stderr: inv.io.stderr }, { path: output, force: options.force, stdout: inv.io.stdout });
    // With the trace on standard output, the summary goes to standard error.
    (output === STDOUT_PATH ? inv.io.stderr : inv.io.stdout).write(`${output}: ${outcome.accesses} accesses\n${outcomeLine(program, outcome, maxAccesses)}\n`);
    return;
  }
  const recording = new Recording({ program, args, maxAccesses, stdout: "stderr", stderr: inv.io.stderr });
  try {
    await replayInput(inv, { file: null, open: () => TraceInput.fromStream(`${program} (valgrind)`, recording.trace()) }, options);
  } finally {
    recording.abandon();
  }
  const outcome = await recording.finished();
  if (options.json !== true) inv.print(outcomeLine(program, outcome, maxAccesses));
}

/** With -o nothing is replayed: an option of the replay is a mistake, named. */
function refuseReplayOptions(cmd: Command, options: RecordCommandOptions): void {
  for (const option of cmd.options) {
    const key = option.attributeName() as keyof RecordCommandOptions;
    if (OUTPUT_OPTIONS.has(key) || options[key] === undefined) continue;
    throw new InputError("has no meaning with -o: the trace is written, not replayed", option.long);
  }
}

/** How the traced program ended, in one line. */
function outcomeLine(program: string, o: RecordOutcome, maxAccesses: number | undefined): string {
  if (o.cut) return `${program}: stopped after ${maxAccesses} accesses (--max-accesses), then ended`;
  if (o.signal !== null) return `${program}: killed by ${o.signal}`;
  return `${program}: exited with code ${o.exitCode}`;
}
