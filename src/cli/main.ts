#!/usr/bin/env node
/** The `vmm386` bin: the CLI (cli.ts) on this process's streams, its status as the exit code. */
import { main } from "./cli.js";

// `vmm386 ... | head`: the reader went away; stop quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(0);
});

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
