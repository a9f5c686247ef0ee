/**
 * Preloaded (`node --import`) into a vmm386 process a bench times: at exit
 * it writes the process's own resource usage (CPU times, peak RSS) to the
 * file named by VMM386_BENCH_USAGE, which a parent cannot read once the
 * child is gone.
 */
import { writeFileSync } from "node:fs";

/** The environment variable naming the file. */
export const RUSAGE_FILE_VARIABLE = "VMM386_BENCH_USAGE";

/** What is written: process.resourceUsage()'s CPU times (µs) and peak RSS (KiB). */
export interface ExitUsage {
  readonly userCPUTime: number;
  readonly systemCPUTime: number;
  readonly maxRSS: number;
}

const file = process.env[RUSAGE_FILE_VARIABLE];
if (file !== undefined) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    const usage: ExitUsage = { userCPUTime: u.userCPUTime, systemCPUTime: u.systemCPUTime, maxRSS: u.maxRSS };
    writeFileSync(file, JSON.stringify(usage));
  });
}
