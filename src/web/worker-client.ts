/**
 * The page's side of the worker: one request at a time, each answered by
 * one reply (progress notes in between). Requests made while one is under
 * way wait their turn, so replies always come back in order; a scrub that
 * outruns the worker drops the seeks it no longer needs (only the newest
 * waits). Every state the worker sends is received here, awaited or not,
 * so that the charts' samples patched into it stay the worker's.
 */
import type { Reply, Request, SentState, WorkerMessage } from "./protocol.js";
import { SeriesReceiver } from "./series-patch.js";

export type Progress = (what: string, done: number, total: number) => void;

interface Pending {
  readonly request: Request;
  readonly resolve: (reply: Reply) => void;
  readonly onProgress?: Progress;
}

export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private running: (Pending & { id: number }) | null = null;
  private readonly queue: Pending[] = [];
  private readonly series = new SeriesReceiver();

  constructor() {
    this.worker = new Worker(new URL("./worker/playground.worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data);
    // An error the worker's own handler did not catch (it catches every request's): the request under way
    // is answered with it, so the page shows it instead of waiting forever.
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.fail(e.message === "" ? "the worker stopped" : e.message);
    };
  }

  private fail(message: string): void {
    const running = this.running;
    if (running === null) return;
    this.running = null;
    running.resolve({ type: "problem", problem: { message, line: null } });
    this.pump();
  }

  /** Sends `request`; resolves with its reply. A waiting seek is replaced by a newer one. */
  request(request: Request, onProgress?: Progress): Promise<Reply> {
    return new Promise((resolve) => {
      if (request.type === "seek") {
        const waiting = this.queue.findIndex((p) => p.request.type === "seek");
        if (waiting >= 0) this.queue.splice(waiting, 1)[0].resolve({ type: "superseded" });
      }
      this.queue.push({ request, resolve, onProgress });
      this.pump();
    });
  }

  terminate(): void {
    this.worker.terminate();
  }

  private pump(): void {
    if (this.running !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.running = { ...next, id: this.nextId++ };
    // An upload's bytes are handed over, not copied (the page keeps no use for them).
    const source = next.request.type === "load" ? next.request.run.source : null;
    this.worker.postMessage({ id: this.running.id, request: next.request }, source?.kind === "trace" ? [source.bytes] : []);
  }

  private receive(message: WorkerMessage): void {
    const running = this.running;
    const reply = "reply" in message ? this.whole(message.reply) : null;
    if (running === null || message.id !== running.id) return;
    if (reply === null) {
      if ("progress" in message) running.onProgress?.(message.progress.what, message.progress.done, message.progress.total);
      return;
    }
    this.running = null;
    running.resolve(reply);
    this.pump();
  }

  /** `reply` with its state's samples whole (series-patch.ts). */
  private whole(reply: Reply<SentState>): Reply {
    if (reply.type === "loaded" || reply.type === "state" || reply.type === "predicted") return { ...reply, state: this.series.receive(reply.state) };
    return reply;
  }
}
