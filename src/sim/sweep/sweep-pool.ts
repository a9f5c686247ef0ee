/**
 * The host's side of a sweep: its points spread over worker threads, each
 * thread running one point at a time (sweep-worker.ts). Under tsx (tests,
 * running from source) a worker registers tsx's loader before importing
 * the .ts entry.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { inThisThread, type JobRunner } from "./sweep.js";
import type { SweepJob, SweepJobResult } from "./sweep-point.js";

/** One worker per CPU and at least 2: the main thread only hands out jobs. */
export function defaultWorkers(cpus = availableParallelism()): number {
  return Math.max(2, cpus);
}

/** A JobRunner over `workers` threads (in this thread when 1, when there is one job, or when no worker script is found). */
export function threadPool(workers: number): JobRunner {
  return async (jobs, done) => {
    const url = workerUrl();
    if (workers <= 1 || jobs.length <= 1 || url === null) return inThisThread(jobs, done);
    // A shard's jobs keep their indices in the whole grid (1, 4, 7...): results are matched by index, not stored at it.
    const byIndex = new Map<number, SweepJobResult>();
    const finish = (r: SweepJobResult): void => {
      byIndex.set(r.index, r);
      done(r);
    };
    const queue = [...jobs];
    const threads = Array.from({ length: Math.min(workers, jobs.length) }, () => (url.pathname.endsWith(".ts") ? tsxWorker(url) : new Worker(url)));
    try {
      await Promise.all(threads.map((w) => feed(w, queue, finish)));
    } finally {
      // A failed worker must not leave the others holding the process open.
      await Promise.all(threads.map((w) => w.terminate()));
    }
    return jobs.flatMap((job) => byIndex.get(job.index) ?? []);
  };
}

/** Feeds jobs from `queue` to `worker` until the queue is empty. */
function feed(worker: Worker, queue: SweepJob[], finish: (r: SweepJobResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (): void => {
      const job = queue.shift();
      if (job === undefined) resolve();
      else worker.postMessage(job);
    };
    worker.on("message", (r: SweepJobResult) => {
      finish(r);
      next();
    });
    worker.on("error", reject);
    next();
  });
}

/** From source (tests, tsx) a worker must register tsx's loader before importing the .ts entry. */
function tsxWorker(url: URL): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const script = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(script, { eval: true });
}

/** The worker script next to this build (.js), or under tsx from source (.ts); null if neither exists. */
function workerUrl(): URL | null {
  for (const ext of [".js", ".ts"]) {
    const url = new URL(`./sweep-worker${ext}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}
