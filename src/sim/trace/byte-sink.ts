/**
 * Writes a file as a stream of Buffers, gzip-compressed when its name ends
 * in `.gz`, honouring back-pressure so memory stays bounded.
 */

import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** Bytes queued before a write waits for the disk: large, so writing overlaps the work that produces the bytes. */
const WRITE_BUFFER = 8 << 20;

export class ByteSink {
  private readonly out: Writable;
  private readonly file: fs.WriteStream;
  private failure: Error | null = null;
  /** Resolves a write waiting for "drain" when an error comes instead. */
  private wake: (() => void) | null = null;

  constructor(readonly path: string) {
    this.file = fs.createWriteStream(path, { highWaterMark: WRITE_BUFFER });
    this.file.on("error", (e) => this.fail(e));
    if (path.endsWith(".gz")) {
      const gzip = zlib.createGzip();
      gzip.on("error", (e) => this.fail(e));
      gzip.pipe(this.file);
      this.out = gzip;
    } else {
      this.out = this.file;
    }
  }

  /** Queues bytes (the sink keeps its own reference: do not reuse `bytes`). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.out.write(bytes)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.out.once("drain", resolve);
      });
      this.wake = null;
    }
    if (this.failure) throw this.failure;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }

  /** Flushes everything and closes the file. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    const finished = once(this.file, "close");
    this.out.end();
    await finished;
    if (this.failure) throw this.failure;
  }
}
