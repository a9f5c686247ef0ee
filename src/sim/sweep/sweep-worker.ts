/**
 * Worker-thread entry of `vmm386 sweep`: receives SweepJobs, runs each on
 * its own System, posts back a SweepJobResult. One job at a time per worker.
 */
import { parentPort } from "node:worker_threads";
import { runSweepJob, type SweepJob } from "./sweep-point.js";

const port = parentPort;
if (port !== null) {
  port.on("message", (job: SweepJob) => {
    void runSweepJob(job).then((result) => port.postMessage(result));
  });
}
