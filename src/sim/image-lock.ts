/**
 * One swap image, one vmm386. Two runs swapping on the same image write
 * each other's slots and read back the wrong pages, silently; so a run
 * takes an exclusive lock on the image it swaps on, and a second run (or a
 * second System in the same process) is refused with ImageInUseError.
 *
 * Node has no flock(2), so the lock is a file created with O_EXCL and
 * holding the owner's pid, host and a random nonce. It is named by the
 * image's device and inode, not by a path: a symbolic link, a hard link in
 * another folder or `./name` all reach the same file and so the same lock.
 * Hard links may sit in different folders, so the locks live in one folder
 * for the whole host, /tmp/vmm386-locks (world-writable and sticky, like
 * /run/lock: anyone may take a lock, only its owner may remove it). It is
 * /tmp and not $TMPDIR, which differs from one shell to the next; so runs
 * on other hosts sharing an image over a network file system do not see
 * each other's locks. A lock is removed when the System closes, the host
 * exits or is interrupted. A run killed outright
 * (SIGKILL, a crash of the machine) leaves it behind: such a lock is stale
 * when its host is this one and its pid is not alive, and the next run
 * breaks it. Staleness is never judged by age: a run holds the event loop
 * in long synchronous loops and could not refresh a timestamp.
 *
 * Breaking a stale lock renames it away first (atomic), then checks that
 * what it renamed is the stale lock it judged; if another run took the lock
 * in between, its lock is put back and this run is refused.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { randomBytes } from "node:crypto";
import { DiskIoError } from "../machine/block-device.js";
import { hostErrorText, isHostError } from "../machine/host-file.js";
import { cleanupOnExit } from "./exit-cleanup.js";

/** The image is in use by another vmm386 run (or another System of this one). */
export class ImageInUseError extends DiskIoError {
  override name = "ImageInUseError";
}

/** A held lock; `release()` removes it (once). */
export interface ImageLock {
  /** The lock file. */
  readonly path: string;
  release(): void;
}

/** What a lock file says about its owner. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
}

const MARK = "vmm386 swap image lock";
/** Attempts at taking a lock that keeps turning out stale (each attempt breaks one). */
const ATTEMPTS = 4;

/** The folder of every image lock on this host. */
export function lockFolder(): string {
  return nodePath.join(process.platform === "win32" ? os.tmpdir() : "/tmp", "vmm386-locks");
}

/** The lock file of the existing image at `image`: named by its device and inode, so that every path and link to it shares one lock. */
export function lockPathOf(image: string): string {
  const stat = fs.statSync(image, { bigint: true });
  return nodePath.join(lockFolder(), `${stat.dev}-${stat.ino}.lock`);
}

/** Makes the lock folder if it is missing (sticky, writable by all); throws DiskIoError if it is unusable or unsafe. */
function ensureLockFolder(image: string): void {
  const folder = lockFolder();
  const refuse = (why: string): DiskIoError => new DiskIoError(`${image}: cannot take its lock (so that no other vmm386 swaps on it): ${folder}: ${why}`);
  try {
    fs.mkdirSync(folder, { mode: 0o1777 });
    if (process.platform !== "win32") fs.chmodSync(folder, 0o1777); // the umask cleared the bits others need
  } catch (e) {
    if (!isHostError(e)) throw e;
    if (e.code !== "EEXIST") throw refuse(hostErrorText(e));
  }
  const stat = fs.lstatSync(folder);
  if (!stat.isDirectory()) throw refuse("is not a folder");
  if (process.platform !== "win32" && (stat.mode & 0o002) !== 0 && (stat.mode & 0o1000) === 0) {
    throw refuse("is writable by everyone but not sticky, so anyone could remove a lock in it; make it sticky (chmod +t) or remove it");
  }
}

/**
 * Takes the lock of the swap image at `image` (which must exist). Throws
 * ImageInUseError if another live vmm386 holds it, DiskIoError if the lock
 * file cannot be created (a folder we may not write in).
 */
export function lockImage(image: string): ImageLock {
  ensureLockFolder(image);
  const path = lockPathOf(image);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString("hex") };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (tryCreate(image, path, owner)) {
      const release = cleanupOnExit(() => removeIfOurs(path, owner));
      return { path, release };
    }
    const holder = readOwner(path);
    if (holder === "gone") continue;
    if (holder === null) throw new ImageInUseError(`${image}: image in use by another vmm386? ${path} exists but is not a vmm386 lock; remove it if no vmm386 uses the image`);
    if (isAlive(holder)) throw inUse(image, path, holder);
    breakStale(image, path, holder);
  }
  throw new ImageInUseError(`${image}: image in use by another vmm386 (its lock ${path} keeps changing hands)`);
}

/** Throws ImageInUseError if a live vmm386 holds the lock of the existing image at `image` (before replacing it, say). */
export function checkImageFree(image: string): void {
  const path = lockPathOf(image);
  const holder = readOwner(path);
  if (holder !== null && holder !== "gone" && isAlive(holder)) throw inUse(image, path, holder);
}

function inUse(image: string, path: string, holder: LockOwner): ImageInUseError {
  const who =
    holder.pid === 0
      ? "one starting at this moment"
      : holder.pid === process.pid && holder.host === os.hostname()
        ? "this process: a System not closed"
        : `pid ${holder.pid} on ${holder.host}`;
  return new ImageInUseError(`${image}: image in use by another vmm386 (${who}; lock file ${path})`);
}

/** Creates the lock file with our owner record; false if one exists already. */
function tryCreate(image: string, path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (e) {
    if (isHostError(e) && e.code === "EEXIST") return false;
    if (isHostError(e)) throw new DiskIoError(`${image}: cannot take its lock (so that no other vmm386 swaps on it): ${path}: ${hostErrorText(e)}`);
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify({ [MARK]: true, ...owner, image: nodePath.resolve(image), since: new Date().toISOString() }) + "\n");
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The owner a lock file names; null if it is not a vmm386 lock, "gone" if it vanished meanwhile. */
function readOwner(path: string): LockOwner | null | "gone" {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    if (isHostError(e) && e.code === "ENOENT") return "gone";
    throw e;
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (o[MARK] === true && typeof o.pid === "number" && typeof o.host === "string" && typeof o.nonce === "string") {
      return { pid: o.pid, host: o.host, nonce: o.nonce };
    }
  } catch {
    // An owner still writing its record looks empty for a moment: judged below as alive.
  }
  return text === "" ? { pid: 0, host: "", nonce: "" } : null;
}

/** True unless the owner is known dead: on this host, and no process has its pid. Another host's cannot be checked. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname() || owner.pid <= 0) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Removes a stale lock, unless another run replaced it since it was judged (then that run holds the image). */
function breakStale(image: string, path: string, stale: LockOwner): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(path, aside);
  } catch (e) {
    if (isHostError(e) && e.code === "ENOENT") return; // someone else broke it first: try again
    throw e;
  }
  const moved = readOwner(aside);
  if (moved !== null && moved !== "gone" && moved.nonce === stale.nonce) {
    fs.rmSync(aside, { force: true });
    return;
  }
  // A live run's fresh lock: put it back (unless yet another run took the name) and give way.
  try {
    fs.linkSync(aside, path);
  } catch {
    // The name is taken again: that run holds the image.
  }
  fs.rmSync(aside, { force: true });
  throw new ImageInUseError(`${image}: image in use by another vmm386 (lock file ${path})`);
}

/** Removes the lock file if it is still ours. */
function removeIfOurs(path: string, owner: LockOwner): void {
  try {
    const now = readOwner(path);
    if (now !== null && now !== "gone" && now.nonce === owner.nonce) fs.rmSync(path, { force: true });
  } catch {
    // The folder went away or became unreadable: there is nothing left of ours to remove.
  }
}
