/** Where the suite's global setup bundles the bin (inside the repository, so the package's files are found above it). */
import { resolve } from "node:path";

export const TEST_BIN_DIR = resolve(import.meta.dirname, "../../.vmm386-tmp/bin");
export const TEST_BIN = resolve(TEST_BIN_DIR, "vmm386.js");
