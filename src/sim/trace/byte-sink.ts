/**
 * Writes a stream of byte blocks to an output (output-file.ts: a temporary
 * file renamed into place, a device, or standard output): as they come, or
 * through a gzip stream honouring back-pressure so memory stays bounded.
 */

import * as zlib from "node:zlib";
import type { OutputFile } from "../output-file.js";

export class ByteSink {
  /**
   * True when `write` is done with the bytes once its promise resolves (the
   * caller may refill the same buffer); false when the sink keeps them.
   */
  readonly reusable: boolean;
  private readonly gzip: zlib.Gzip | null = null;
  /** Copies gzip's output to the file; settles when gzip ends or writing fails. */
  private readonly pump: Promise<void> | null = null;
  private failure: unknown = null;
  /** Resolves a write waiting for "drain" when an error comes instead. */
  private wake: (() => void) | null = null;

  /** Writes to `output`, gzip-compressed when `compress`. */
  constructor(
    readonly output: OutputFile,
    compress: boolean,
  ) {
    this.reusable = !compress;
    if (!compress) return;
    const gzip = zlib.createGzip();
    this.gzip = gzip;
    this.pump = (async () => {
      for await (const data of gzip) await output.write(data as Buffer);
    })().catch((e: unknown) => this.fail(e));
  }

  /** Writes the bytes (a gzip sink keeps a reference: see `reusable`). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.gzip === null) return this.output.write(bytes);
    if (this.failure !== null) throw this.failure;
    const gzip = this.gzip;
    if (!gzip.write(bytes)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        gzip.once("drain", resolve);
      });
      this.wake = null;
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Flushes everything written (the output itself is committed by its owner). */
  async close(): Promise<void> {
    if (this.gzip === null) return;
    if (this.failure !== null) throw this.failure;
    this.gzip.end();
    await this.pump;
    if (this.failure !== null) throw this.failure;
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    this.gzip?.destroy();
    this.wake?.();
  }
}
