/**
 * The host's files as vmm386 meets them. Two things every layer needs:
 * the host's errors said in a user's words ("no space left on the device",
 * not Node's "ENOSPC: no space left on device, write"), and opening a file
 * that must be a regular one without ever blocking: a FIFO opened for
 * reading waits for a writer, so a path is opened non-blocking and checked
 * with fstat on the descriptor itself (no window between a stat and the
 * open in which the path could change).
 */

import * as fs from "node:fs";

/** What each errno means, in the words the messages use. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large for its file system",
  EROFS: "read-only file system",
  EIO: "input/output error (the device failed)",
  EPIPE: "the reader closed the pipe; output incomplete",
  ENXIO: "no such device or address",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  EBUSY: "device or resource busy",
  EINVAL: "the host refused the operation (invalid argument)",
};

/** True for an error the host's file system raised (it has an errno code and a system call). */
export function isHostError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return e instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code) && "syscall" in e;
}

/** The host error's meaning in a few words ("no space left on the device"); the code itself when unknown. */
export function hostErrorText(e: NodeJS.ErrnoException): string {
  const code = e.code ?? "";
  return ERRNO_TEXT[code] ?? `${code} (${e.syscall ?? "file access"})`;
}

/** "PATH: phrase" when the error names a path, else "phrase (CODE, syscall)". */
export function describeHostError(e: NodeJS.ErrnoException): string {
  const text = hostErrorText(e);
  return e.path === undefined ? `${text} (${e.code}, ${e.syscall ?? "file access"})` : `${e.path}: ${text}`;
}

/** What a stat says a path is, for messages about a path that is not a regular file. */
export function describeFileType(stat: fs.Stats): string {
  if (stat.isDirectory()) return "is a directory, not a file";
  if (stat.isFIFO()) return "is a pipe (FIFO), not a regular file";
  if (stat.isCharacterDevice()) return "is a character device, not a regular file";
  if (stat.isBlockDevice()) return "is a block device, not a regular file";
  if (stat.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

/** An open regular file, or why `path` cannot be one. */
export type RegularFileOpen = { readonly ok: true; readonly fd: number; readonly size: number } | { readonly ok: false; readonly problem: string };

/**
 * Opens `path` (read-only, or read-write) if it is a regular file: a FIFO,
 * a device, a socket or a directory is refused without being waited on or
 * read. The caller closes the descriptor.
 */
export function openRegularFile(path: string, access: "read" | "read-write" = "read"): RegularFileOpen {
  const mode = access === "read" ? fs.constants.O_RDONLY : fs.constants.O_RDWR;
  let fd: number;
  try {
    fd = fs.openSync(path, mode | fs.constants.O_NONBLOCK);
  } catch (e) {
    if (isHostError(e)) return { ok: false, problem: hostErrorText(e) };
    throw e;
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    return { ok: false, problem: describeFileType(stat) };
  }
  return { ok: true, fd, size: stat.size };
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them
 * (checked on its size before anything is read); a phrase saying why not.
 */
export function readRegularFile(path: string, maxBytes: number, tooLarge: (size: number) => string): Buffer | string {
  const opened = openRegularFile(path);
  if (!opened.ok) return opened.problem;
  try {
    if (opened.size > maxBytes) return tooLarge(opened.size);
    const bytes = Buffer.alloc(opened.size);
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(opened.fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === bytes.length ? bytes : bytes.subarray(0, done);
  } catch (e) {
    if (isHostError(e)) return hostErrorText(e);
    throw e;
  } finally {
    fs.closeSync(opened.fd);
  }
}
