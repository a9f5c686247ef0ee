/**
 * Writes a file as a stream of byte blocks: a plain file with synchronous
 * writes (the page cache takes them at memory speed, and the caller may
 * reuse its buffer at once), or, when the name ends in `.gz`, through a gzip
 * stream honouring back-pressure so memory stays bounded.
 */

import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { once } from "node:events";

export class ByteSink {
  /**
   * True when `write` is done with the bytes once its promise resolves (the
   * caller may refill the same buffer); false when the sink keeps them.
   */
  readonly reusable: boolean;
  private readonly fd: number | null = null;
  private readonly gzip: zlib.Gzip | null = null;
  private readonly file: fs.WriteStream | null = null;
  private failure: Error | null = null;
  /** Resolves a write waiting for "drain" when an error comes instead. */
  private wake: (() => void) | null = null;

  /** Creates (truncates) the file; throws the host's error if it cannot. */
  constructor(readonly path: string) {
    if (!path.endsWith(".gz")) {
      this.fd = fs.openSync(path, "w");
      this.reusable = true;
      return;
    }
    this.reusable = false;
    const file = fs.createWriteStream(path);
    const gzip = zlib.createGzip();
    file.on("error", (e) => this.fail(e));
    gzip.on("error", (e) => this.fail(e));
    gzip.pipe(file);
    this.file = file;
    this.gzip = gzip;
  }

  /** Writes the bytes (a gzip sink keeps a reference: see `reusable`). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.fd !== null) {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
      return;
    }
    const gzip = this.gzip as zlib.Gzip;
    if (this.failure) throw this.failure;
    if (!gzip.write(bytes)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        gzip.once("drain", resolve);
      });
      this.wake = null;
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes everything and closes the file. */
  async close(): Promise<void> {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      return;
    }
    if (this.failure) throw this.failure;
    const file = this.file as fs.WriteStream;
    const finished = once(file, "close");
    (this.gzip as zlib.Gzip).end();
    await finished;
    if (this.failure) throw this.failure;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }
}
