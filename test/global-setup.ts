/**
 * Before the suite: the bin bundled as `npm run build` bundles it, into
 * .vmm386-tmp/bin, so the tests that spawn vmm386 run what users run and
 * start in a fraction of the time a run from source under tsx takes; and
 * the helper programs tests spawn (image-lock-holder.ts) bundled the same
 * way, into .vmm386-tmp/test-helpers, for the same reason.
 */
import { build } from "esbuild";
import { REQUIRE_BANNER, bundleCli } from "../scripts/bundle.js";
import { TEST_BIN_DIR, TEST_HELPER_DIR } from "./cli/test-bin.js";

export async function setup(): Promise<void> {
  await Promise.all([bundleCli(TEST_BIN_DIR), bundleHelpers()]);
}

/** Each spawned helper, one self-contained file. */
async function bundleHelpers(): Promise<void> {
  await build({
    entryPoints: { "image-lock-holder": "test/sim/image-lock-holder.ts" },
    outdir: TEST_HELPER_DIR,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["@resvg/resvg-js"],
    banner: { js: REQUIRE_BANNER },
    logLevel: "warning",
  });
}
