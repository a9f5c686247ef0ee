/**
 * Tests run natively in forked Node processes with tsx's loader (as the CLI
 * runs from source), not through Vite's module runner, whose module objects
 * made the compute-heavy tests (torture, policy agreement, TLB properties)
 * about 1.7× slower. The global setup bundles the bin for the spawned tests.
 */
import { availableParallelism } from "node:os";
import { register } from "tsx/esm/api";
import { defineConfig } from "vitest/config";

// The global setup is TypeScript too: this process needs the loader as well.
register();

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    pool: "forks",
    // One process per core for the whole run, not one per test file: a file's fresh process and loader cost ~0.4 s of CPU, over 100 files.
    isolate: false,
    // Every core: vitest's default in run mode is one fewer, which on a 2-core machine is a single worker running all files in turn.
    maxWorkers: availableParallelism(),
    // A larger young generation: the heavy tests allocate many short-lived objects, and fewer scavenges cut the suite's CPU by ~4 %.
    execArgv: ["--import", "tsx", "--max-semi-space-size=32"],
    experimental: { viteModuleRunner: false },
  },
});
