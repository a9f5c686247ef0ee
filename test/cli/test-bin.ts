/** Where the suite's global setup bundles the bin and the helpers tests spawn (inside the repository, so the package's files are found above them). */
import { resolve } from "node:path";

export const TEST_BIN_DIR = resolve(import.meta.dirname, "../../.vmm386-tmp/bin");
export const TEST_BIN = resolve(TEST_BIN_DIR, "vmm386.js");
export const TEST_HELPER_DIR = resolve(import.meta.dirname, "../../.vmm386-tmp/test-helpers");
