/**
 * Recording a program's memory trace: the program runs under Valgrind's
 * lackey tool (`valgrind --tool=lackey --trace-mem=yes --log-fd=3`), and
 * the log — the trace — comes back through a pipe on the child's
 * descriptor 3, so the program keeps its own standard output and error.
 * The trace is streamed, never held: into a file (gzip'd when its name ends
 * in .gz, written under a temporary name and renamed once complete) or
 * straight into a replay, as a stream input.
 *
 * `maxAccesses` cuts the trace after that many access lines and stops the
 * program: SIGTERM, on which Valgrind ends the program as its default
 * action would and exits cleaning up after itself, then SIGKILL if it is
 * still there after KILL_GRACE_MS (a program that catches SIGTERM).
 *
 * Valgrind's launcher says why it cannot start a program on standard error
 * (`valgrind: ./x: cannot execute binary file`), before any trace. So the
 * child's standard error is held until the trace begins: a failure becomes
 * one RecordError naming the program, and the program's own messages pass
 * on as they come once it runs.
 */

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { InputError } from "../../machine/input-error.js";
import { openOutput, STDOUT_PATH } from "../output-file.js";
import { ByteSink } from "./byte-sink.js";
import { traceOutputKind } from "./convert.js";

/** The child's descriptor that lackey writes the trace to. */
const TRACE_FD = 3;
/** Bytes asked for by each read of the trace's pipe. */
const READ_BYTES = 1 << 20;
/** How long the trace's reader waits after a read that found the pipe short or empty. */
const PACE_MS = 2;
/** How long a program may outlive SIGTERM before it is killed. */
const KILL_GRACE_MS = 2000;
const NL = 0x0a;

/** A recording that cannot start: no Valgrind, or a program Valgrind cannot run. The CLI prints it as one line. */
export class RecordError extends InputError {
  override name = "RecordError";
}

/** What to run and how far. */
export interface RecordOptions {
  readonly program: string;
  readonly args?: readonly string[];
  /** Cut the trace after this many access lines and stop the program (default: it runs to its end). */
  readonly maxAccesses?: number;
  /** The program's standard output: ours, or our standard error (when ours carries a replay's results). */
  readonly stdout?: "inherit" | "stderr";
  /** Where the program's own standard error goes once it runs (default: ours). */
  readonly stderr?: { write(bytes: Uint8Array): unknown };
}

/** How a recording ended. */
export interface RecordOutcome {
  /** Access lines in the trace. */
  readonly accesses: number;
  /** The trace was cut at `maxAccesses` and the program stopped. */
  readonly cut: boolean;
  /** Valgrind's exit code (the program's), or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The path of `command` on the PATH (as a shell would find it), or null. */
export function findOnPath(command: string, searchPath = process.env.PATH ?? ""): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, command);
    try {
      if (fs.statSync(candidate).isFile()) {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      }
    } catch {
      // Not there, or not executable: look further.
    }
  }
  return null;
}

/** The RecordError for a PATH without valgrind: what to install, in one line. */
function noValgrind(): RecordError {
  return new RecordError(
    "valgrind is not on the PATH: install it (Debian/Ubuntu: sudo apt-get install valgrind; Fedora: sudo dnf install valgrind; Arch: sudo pacman -S valgrind)",
  );
}

/** Counts a lackey text's access lines as its bytes pass, and finds where the limit-th one ends. */
export class AccessLineCounter {
  count = 0;
  private atLineStart = true;

  constructor(private readonly limit = Infinity) {}

  /** Scans the next bytes; returns the index just past the newline that ends the limit-th access line, or -1 if it is not in them. */
  scan(buf: Buffer): number {
    let p = 0;
    while (p < buf.length) {
      // Access lines start `I ` or ` L`/` S`/` M`; messages start `==`, `--` or `**`.
      if (this.atLineStart && (buf[p] === 0x49 || buf[p] === 0x20)) this.count++;
      const nl = buf.indexOf(NL, p);
      if (nl < 0) {
        this.atLineStart = false;
        return -1;
      }
      this.atLineStart = true;
      if (this.count === this.limit) return nl + 1;
      p = nl + 1;
    }
    return -1;
  }
}

/** A program running under lackey: its trace, read once, and how it ended. */
export class Recording {
  private readonly child: ChildProcess;
  /** The pipe Valgrind writes the trace into. */
  private readonly fifo: PacedFifo;
  /** Settles once Valgrind has exited and its pipes are closed: its exit code and signal. */
  private readonly closed: Promise<[number | null, NodeJS.Signals | null]>;
  private readonly counter: AccessLineCounter;
  private readonly heldErrors: Buffer[] = [];
  private started = false;
  private cut = false;
  /** The trace has been asked for (its reader drains the pipe and ends the program if left early). */
  private reading = false;

  /** Where the program's standard error passes on to. */
  private readonly errors: { write(bytes: Uint8Array): unknown };

  /** Starts `options.program` under Valgrind; throws RecordError when there is no Valgrind to start. */
  constructor(private readonly options: RecordOptions) {
    this.errors = options.stderr ?? process.stderr;
    const valgrind = findOnPath("valgrind");
    if (valgrind === null) throw noValgrind();
    this.counter = new AccessLineCounter(options.maxAccesses);
    const args = ["--tool=lackey", "--trace-mem=yes", `--log-fd=${TRACE_FD}`, "--vgdb=no", options.program, ...(options.args ?? [])];
    this.fifo = new PacedFifo();
    try {
      this.child = spawn(valgrind, args, { stdio: ["inherit", options.stdout === "stderr" ? 2 : "inherit", "pipe", this.fifo.writeEnd] });
    } finally {
      this.fifo.closeWriteEnd(); // Valgrind holds it now: the trace ends when Valgrind does
    }
    this.closed = once(this.child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
    this.closed.catch(() => undefined); // a spawn error is thrown by trace(), which awaits it
    (this.child.stderr as Readable).on("data", (b: Buffer) => (this.started ? this.errors.write(b) : this.heldErrors.push(b)));
  }

  /**
   * The trace's bytes, lackey text, cut after `maxAccesses` access lines.
   * Throws RecordError if Valgrind could not run the program. Leaving the
   * loop early stops the program.
   */
  async *trace(): AsyncGenerator<Buffer> {
    // Read without for-await, whose early exit would close the pipe: the program is to end by
    // SIGTERM, not by a write into a closed pipe, and the pipe is drained until then, since Valgrind
    // takes signals only between the program's instructions, never while it waits to write its log.
    this.reading = true;
    const chunks = this.fifo.chunks();
    try {
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        const buf = next.value;
        this.begin();
        const end = this.counter.scan(buf);
        if (end >= 0) {
          this.cut = true;
          yield buf.subarray(0, end);
          return;
        }
        yield buf;
      }
      const [code, signal] = await this.closed;
      if (this.counter.count === 0 && (code !== 0 || signal !== null)) throw this.cannotRun(code, signal);
    } finally {
      this.stop();
      void drain(chunks);
    }
  }

  /**
   * Ends the program if its trace will not be read to its end (the caller
   * failed before reading it, say); the pipe is drained meanwhile. Harmless
   * once the program has ended.
   */
  abandon(): void {
    if (!this.reading) {
      this.reading = true;
      void drain(this.fifo.chunks());
    }
    this.stop();
  }

  /** How the recording ended, once Valgrind has exited. */
  async finished(): Promise<RecordOutcome> {
    const [exitCode, signal] = await this.closed;
    return { accesses: this.counter.count, cut: this.cut, exitCode, signal };
  }

  /** The trace has begun: Valgrind runs the program, whose messages on standard error pass on from now. */
  private begin(): void {
    if (this.started) return;
    this.started = true;
    for (const b of this.heldErrors) this.errors.write(b);
    this.heldErrors.length = 0;
  }

  /** Ends the program if it still runs: SIGTERM, then SIGKILL after a grace period. */
  private stop(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), KILL_GRACE_MS);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    this.closed.then(clear, clear);
  }

  /** Valgrind's launcher's reason (its last `valgrind: ` line), as one line naming the program. */
  private cannotRun(code: number | null, signal: NodeJS.Signals | null): RecordError {
    const lines = Buffer.concat(this.heldErrors).toString("utf8").split("\n");
    const said = lines.filter((l) => l.startsWith("valgrind: ")).at(-1);
    const program = this.options.program;
    const reason = said === undefined ? `valgrind ended (${signal ?? `exit code ${code}`}) before tracing anything` : said.slice("valgrind: ".length);
    const bare = reason.startsWith(`${program}: `) ? reason.slice(program.length + 2) : reason;
    return new RecordError(`valgrind cannot run ${program}: ${bare}`);
  }
}

/**
 * The pipe Valgrind writes the trace into, read at a pace. Valgrind writes
 * its log one line at a time; read as data arrives, a pipe woke its reader
 * for nearly every write (93,000 times, 1.4 s of CPU, for /bin/ls's 22 MB
 * trace; Valgrind itself took 1.35 s). So the pipe is a FIFO opened without
 * blocking, and a read that finds it short or empty waits PACE_MS before
 * the next: the pipe fills meanwhile, no write wakes anybody, and the same
 * trace takes 500 reads and 0.08 s.
 */
class PacedFifo {
  /** The write end, for the child's descriptor 3, until closeWriteEnd. */
  readonly writeEnd: number;
  private readonly readEnd: number;

  /** Creates the FIFO in a private directory and opens both ends; the name is gone once they are open. */
  constructor() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmm386-record-"));
    try {
      const fifo = path.join(dir, "trace");
      execFileSync("mkfifo", ["-m", "600", fifo]);
      this.readEnd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      this.writeEnd = fs.openSync(fifo, fs.constants.O_WRONLY);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  closeWriteEnd(): void {
    fs.closeSync(this.writeEnd);
  }

  /** The bytes written into the pipe, until every writer has closed it; then the read end is closed. */
  async *chunks(): AsyncGenerator<Buffer> {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    try {
      for (;;) {
        const got = await readSome(this.readEnd, buf);
        if (got === 0) return;
        if (got > 0) yield Buffer.from(buf.subarray(0, got));
        if (got < READ_BYTES / 16) await new Promise((resolve) => setTimeout(resolve, PACE_MS));
      }
    } finally {
      fs.closeSync(this.readEnd);
    }
  }
}

/** One read of a non-blocking descriptor: the bytes read, 0 at the end, -1 when nothing is there yet. */
function readSome(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, 0, buf.length, null, (e, n) => {
      if (e === null) resolve(n);
      else if (e.code === "EAGAIN") resolve(-1);
      else reject(e);
    });
  });
}

/** Reads what is left of a stream, to its end, discarding it. */
async function drain(chunks: AsyncIterator<Buffer>): Promise<void> {
  try {
    while ((await chunks.next()).done !== true);
  } catch {
    // The stream failed: there is nothing left to read.
  }
}

/** Where a recording is written, and whether an existing file that is not a lackey trace may be replaced. */
export interface RecordOutput {
  readonly path: string;
  readonly force?: boolean;
  /** Where a path of `-` goes; default this process's standard output. */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * Records the program's trace into `output.path` (gzip'd when it ends in
 * .gz; `-` is standard output, the program's own output then going to
 * standard error): through output-file.ts, so checked before the program
 * starts, written under a temporary name and renamed into place once whole.
 */
export async function recordToFile(options: RecordOptions, output: RecordOutput): Promise<RecordOutcome> {
  const out = openOutput(output.path, { kind: traceOutputKind("lackey"), force: output.force, option: "-o", allowStdout: true, stdout: output.stdout });
  try {
    const toStdout = output.path === STDOUT_PATH;
    const recording = new Recording({ ...options, stdout: options.stdout ?? (toStdout ? "stderr" : "inherit") });
    const sink = new ByteSink(out, output.path.endsWith(".gz"));
    for await (const b of recording.trace()) await sink.write(b);
    await sink.close();
    await out.commit();
    return await recording.finished();
  } catch (e) {
    out.abort(); // the temporary file only: an earlier file of the name stays as it was
    throw e;
  }
}
