/**
 * Where a `vmm386` invocation reads and writes: its standard streams, handed
 * in, so the whole CLI runs in-process (tests give it buffers) as well as
 * in a process of its own (the bin gives it the process's streams). Every
 * command writes through its Invocation and sets its exit status there.
 */
import { startProgress, type Progress } from "./progress.js";

export interface CliIo {
  /** A terminal takes no binary trace. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** A terminal gets the progress bar. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** What `replay -` reads; a terminal there means nothing was piped in. */
  readonly stdin: NodeJS.ReadableStream & AsyncIterable<Uint8Array> & { readonly isTTY?: boolean };
  /** How a command shows its progress (default: a bar on stderr when it is a terminal); tests watch it here. */
  readonly progress?: (quiet: boolean) => Progress;
}

/** One invocation of the CLI: its io, and the exit status its command sets (0 unless a run failed). */
export class Invocation {
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  /** The command's progress from now on; quiet (--json) shows none. */
  startProgress(quiet: boolean): Progress {
    return this.io.progress?.(quiet) ?? startProgress(quiet, { stream: this.io.stderr, now: Date.now });
  }

  /** Writes `text` and a newline to standard output. */
  print(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }
}

/** The io of this process; its standard input is opened only if a command reads it (opening it costs a start ~10 ms). */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
  };
}
