/**
 * Every file vmm386 writes for the user (converted traces, HTML reports,
 * charts, disk images) goes through here, so that no run ever loses what
 * was there before it:
 *
 * - the path is checked before the work starts, and the output is opened
 *   then, so a bad path costs nothing and a good one cannot fail late;
 * - a regular file is written to a temporary file in the same directory,
 *   renamed into place at the end; on failure only that temporary file is
 *   removed (also when the host exits or is interrupted);
 * - a device, a FIFO or `-` (standard output) is written directly and never
 *   deleted, truncated or replaced by a file;
 * - the output may not be one of the inputs (compared by device and inode,
 *   so a symbolic or hard link to the input is caught);
 * - an existing file is replaced only if it is an earlier vmm386 output of
 *   the same kind (or empty), unless the user forces it, and never if it is
 *   read-only (whoever runs vmm386, root included);
 * - a symbolic link is written through: the file it names is replaced, the
 *   link stays.
 *
 * The host's failures (ENOSPC, EIO, EPIPE, EROFS...) become one
 * OutputFileError naming the path the user gave.
 */

import { InputError } from "../machine/input-error.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { describeFileType, hostErrorText, isHostError } from "../machine/host-file.js";
import { cleanupOnExit } from "./exit-cleanup.js";

/** The path given as an output names the standard output. */
export const STDOUT_PATH = "-";

/** Bytes of an existing file read to tell whether vmm386 wrote it. */
const HEAD_BYTES = 64 * 1024;

/** An output that cannot be written; the message names the path as the user gave it. */
export class OutputFileError extends InputError {
  override name = "OutputFileError";
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(detail, path);
  }
}

/** A kind of file vmm386 writes: how to call it, and how to recognise an earlier one. */
export interface OutputKind {
  /** In messages: "vmm386 HTML report", "lackey trace"; null when no existing file is taken for one (a disk image). */
  readonly noun: string | null;
  /** True if `head`, the first bytes of an existing file (`whole`: all of it), shows an earlier output of this kind. */
  recognise(head: Buffer, whole: boolean): boolean;
}

export interface OutputOptions {
  readonly kind: OutputKind;
  /** Replace an existing file even if it is not an earlier output of this kind. */
  readonly force?: boolean;
  /** Files the run reads: the output may be none of them. */
  readonly inputs?: readonly string[];
  /** Whether `-` means standard output (else it is refused: the command prints there). */
  readonly allowStdout?: boolean;
  /** The stream `-` writes to (an in-process CLI's own); default this process's standard output. */
  readonly stdout?: NodeJS.WritableStream;
  /** The option that named the path, for messages ("--report"). */
  readonly option?: string;
}

/** An output opened for writing: write the bytes, then commit (or abort on failure). */
export interface OutputFile {
  /** The path as the user gave it. */
  readonly path: string;
  /** True for standard output, a device or a FIFO: written in place, never replaced. */
  readonly direct: boolean;
  /** Writes all of `bytes`; the caller may reuse them once the promise resolves. */
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the output: a regular file is renamed into place. */
  commit(): Promise<void>;
  /** Gives up: removes the temporary file (never anything else). Safe to call more than once. */
  abort(): void;
}

/**
 * Checks that `file` can take an output of `options.kind` and opens it
 * (a regular file: a new temporary file beside it). Throws OutputFileError
 * naming the path and what is wrong.
 */
export function openOutput(file: string, options: OutputOptions): OutputFile {
  const place = new Place(file, options.option);
  const fail = place.fail;
  if (file !== STDOUT_PATH) return openTarget(place, options, true);
  if (!options.allowStdout) fail("standard output is taken by the command's own output; name a file");
  checkNotInput(fs.fstatSync(1), options.inputs ?? [], fail, "standard output");
  return new StdoutOutput(file, options.stdout ?? process.stdout);
}

/** An output that is a regular file and is built through its descriptor (a disk image). */
export interface FileOutput extends OutputFile {
  /** The temporary file's descriptor, until commit or abort. */
  readonly fd: number;
}

/** As openOutput, for a regular file only: a device, a FIFO or `-` is refused. */
export function openFileOutput(file: string, options: OutputOptions): FileOutput {
  return openTarget(new Place(file, options.option), options, false) as TemporaryOutput;
}

/** An output path as the user gave it, and how messages name it (with the option that gave it). */
class Place {
  readonly where: string;
  constructor(
    readonly file: string,
    option: string | undefined,
  ) {
    this.where = option === undefined ? file : `${option} ${file}`;
  }

  /** Throws the OutputFileError for `detail`. */
  readonly fail = (detail: string): never => {
    throw new OutputFileError(this.where, detail);
  };
}

/** Opens a path (not `-`): a temporary file for a regular one, the thing itself for a device or FIFO (if `direct`). */
function openTarget(place: Place, options: OutputOptions, direct: boolean): OutputFile {
  const { file, fail } = place;
  const stat = statOutput(file, fail);
  if (stat === null) return TemporaryOutput.create(place, file, null);
  if (stat.isDirectory()) fail("is a directory, not a file");
  checkNotInput(stat, options.inputs ?? [], fail, "it");
  if (!stat.isFile()) return direct ? DirectOutput.open(place, stat) : fail(`${describeFileType(stat)}; this output must be a regular file`);
  return replaceable(place, stat, options);
}

/** Writes `content` whole to `output` and commits it; removes the temporary file on failure. */
export async function writeWhole(output: OutputFile, content: string | Uint8Array): Promise<void> {
  try {
    await output.write(typeof content === "string" ? Buffer.from(content, "utf8") : content);
    await output.commit();
  } catch (e) {
    output.abort();
    throw e;
  }
}

/** Runs `work`; if it fails, the outputs opened for it are given up (their temporary files removed). */
export async function abortOnFailure<T>(outputs: readonly (OutputFile | null)[], work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    for (const output of outputs) output?.abort();
    throw e;
  }
}

/** The stat of the output path (following links), null if nothing is there yet. */
function statOutput(file: string, fail: (detail: string) => never): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (e) {
    if (!isHostError(e)) throw e;
    if (e.code !== "ENOENT") return fail(hostErrorText(e));
  }
  if (isSymlink(file)) fail("is a symbolic link to a file that does not exist; name the file itself");
  return null;
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Refuses an output that is one of the inputs (same device and inode: links included). */
function checkNotInput(stat: fs.Stats, inputs: readonly string[], fail: (detail: string) => never, what: string): void {
  for (const input of inputs) {
    let s: fs.Stats;
    try {
      s = fs.statSync(input);
    } catch {
      continue;
    }
    if (s.dev === stat.dev && s.ino === stat.ino) fail(`${what} is the input file ${input} (through a link or by name); choose another output`);
  }
}

/** An existing regular file: replaced only if read-write and (forced, empty, or an earlier output of this kind). */
function replaceable(place: Place, stat: fs.Stats, options: OutputOptions): OutputFile {
  const { file, fail } = place;
  // The mode bits, not access(2): root may write anything, yet a read-only file says "keep me".
  if ((stat.mode & 0o200) === 0) fail("is read-only; it was not replaced (make it writable or choose another output)");
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (e) {
    if (isHostError(e)) fail(`${hostErrorText(e)}; it was not replaced`);
    throw e;
  }
  if (!options.force && stat.size > 0 && !options.kind.recognise(readHead(file, fail), stat.size <= HEAD_BYTES)) {
    fail(`exists${options.kind.noun === null ? "" : ` and is not a ${options.kind.noun}`}; pass --force to replace it`);
  }
  return TemporaryOutput.create(place, fs.realpathSync(file), stat);
}

function readHead(file: string, fail: (detail: string) => never): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if (isHostError(e)) fail(hostErrorText(e));
    throw e;
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    return buf.subarray(0, fs.readSync(fd, buf, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Turns a host failure while writing into an OutputFileError naming the output. */
function outputError(where: string, e: unknown): unknown {
  return isHostError(e) ? new OutputFileError(where, hostErrorText(e)) : e;
}

/** Writes all of `bytes` to `fd` synchronously (the caller may reuse them at once). */
function writeAll(fd: number, bytes: Uint8Array, where: string): Promise<void> {
  try {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(outputError(where, e));
  }
}

/**
 * A regular file written under a temporary name in its directory and
 * renamed into place by commit(). The temporary file is created exclusively
 * (never an existing file) with the mode of the file it replaces.
 */
class TemporaryOutput implements FileOutput {
  readonly direct = false;
  readonly path: string;
  private readonly where: string;
  private descriptor: number;
  /** Removes the temporary file (at most once; also at exit or on a signal). */
  private readonly disarm: () => void;
  private committed = false;

  private constructor(
    place: Place,
    private readonly target: string,
    private readonly temp: string,
    fd: number,
    private readonly replaces: fs.Stats | null,
  ) {
    this.path = place.file;
    this.where = place.where;
    this.descriptor = fd;
    this.disarm = cleanupOnExit(() => this.removeTemp());
  }

  /** A temporary file beside `target`, the file the place names (links resolved when it exists); `replaces`: its stat. */
  static create(place: Place, target: string, replaces: fs.Stats | null): TemporaryOutput {
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}.vmm386-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    const mode = replaces === null ? 0o666 : replaces.mode & 0o7777;
    let fd: number;
    try {
      // Read-write: a disk image is partitioned through this descriptor (openFileOutput).
      fd = fs.openSync(temp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    } catch (e) {
      if (!isHostError(e)) throw e;
      return place.fail(e.code === "ENOENT" ? `no such directory ${dir}` : `cannot create a file in ${dir}: ${hostErrorText(e)}`);
    }
    return new TemporaryOutput(place, target, temp, fd, replaces);
  }

  get fd(): number {
    return this.descriptor;
  }

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.descriptor, bytes, this.where);
  }

  commit(): Promise<void> {
    try {
      if (this.replaces !== null) keepOwner(this.descriptor, this.replaces);
      fs.fdatasyncSync(this.descriptor); // the new bytes are on disk before the name points at them
      fs.closeSync(this.descriptor);
      this.descriptor = -1;
      if (this.replaces !== null) fs.renameSync(this.temp, this.target);
      else this.linkNew();
      this.committed = true;
      this.disarm();
      return Promise.resolve();
    } catch (e) {
      this.abort();
      return Promise.reject(outputError(this.where, e));
    }
  }

  abort(): void {
    this.disarm();
  }

  /** A new file takes its name only if nothing took it meanwhile (link fails rather than replace). */
  private linkNew(): void {
    try {
      fs.linkSync(this.temp, this.target);
    } catch (e) {
      if (isHostError(e) && e.code === "EEXIST") throw new OutputFileError(this.where, "was created by someone else while vmm386 ran; it was not replaced");
      // A file system without hard links (FAT, some network shares): rename, as the check found no file there.
      if (!isHostError(e) || (e.code !== "EPERM" && e.code !== "ENOTSUP" && e.code !== "EOPNOTSUPP")) throw e;
      fs.renameSync(this.temp, this.target);
      return;
    }
    fs.unlinkSync(this.temp);
  }

  private removeTemp(): void {
    if (this.descriptor >= 0) fs.closeSync(this.descriptor);
    this.descriptor = -1;
    if (!this.committed) fs.rmSync(this.temp, { force: true });
  }
}

/** The replaced file's owner and group, when the host lets us keep them (root replacing a user's file). */
function keepOwner(fd: number, stat: fs.Stats): void {
  try {
    fs.fchownSync(fd, stat.uid, stat.gid);
  } catch {
    // Only root may give a file away; anyone else writes their own file, as any editor would.
  }
}

/** A device or FIFO, opened without creating or truncating anything, written in place. */
class DirectOutput implements OutputFile {
  readonly direct = true;
  readonly path: string;
  private readonly where: string;
  private fd: number;

  private constructor(place: Place, fd: number) {
    this.path = place.file;
    this.where = place.where;
    this.fd = fd;
  }

  static open(place: Place, stat: fs.Stats): DirectOutput {
    if (stat.isBlockDevice() || stat.isSocket()) place.fail(`${describeFileType(stat)}; vmm386 writes to files, pipes and character devices`);
    try {
      // Neither O_CREAT nor O_TRUNC: if the device went away meanwhile, no regular file appears in its place.
      return new DirectOutput(place, fs.openSync(place.file, fs.constants.O_WRONLY));
    } catch (e) {
      if (isHostError(e)) place.fail(hostErrorText(e));
      throw e;
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.fd, bytes, this.where);
  }

  commit(): Promise<void> {
    this.abort();
    return Promise.resolve();
  }

  abort(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** Standard output, through its Node stream (which owns fd 1): bytes are copied, back-pressure honoured. */
class StdoutOutput implements OutputFile {
  readonly direct = true;
  constructor(
    readonly path: string,
    private readonly stream: NodeJS.WritableStream,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.stream.write(Buffer.from(bytes))) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  commit(): Promise<void> {
    return Promise.resolve();
  }

  abort(): void {}
}
