/**
 * Bundles the `vmm386` bin with esbuild: one file to start from
 * (dist/bin/vmm386.js) instead of about 150 modules resolved and loaded one
 * by one, with each command, the report stack (charts, PNG) and the scenario
 * schema's validator (compiled here, at build time) in chunks of their own
 * that load only when used. The sweep's worker script is bundled beside it.
 * Chunks sit in the same folder as the entry points, so the sweep pool finds
 * `./sweep-worker.js` next to its own code; files of the package itself
 * (package.json, the schema) are found by walking up from a chunk
 * (src/sim/package-files.ts).
 *
 *   tsx scripts/bundle.ts [OUTDIR]     (default dist/bin; `npm run build` runs it)
 */
import { build, type Plugin } from "esbuild";
import standaloneCode from "ajv/dist/standalone/index.js";
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { compileScenarioSchema } from "../src/sim/scenario/scenario-validator.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** CommonJS dependencies (commander, yaml, ajv...) call require(): an ESM bundle gets one from this banner. */
export const REQUIRE_BANNER = "import { createRequire as vmm386CreateRequire } from 'node:module'; const require = vmm386CreateRequire(import.meta.url);";

/** Writes the bundle to `outdir` (emptied first). */
export async function bundleCli(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { vmm386: "src/cli/main.ts", "sweep-worker": "src/sim/sweep/sweep-worker.ts" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "[name]-[hash]",
    // A native addon: loaded from node_modules by Node itself.
    external: ["@resvg/resvg-js"],
    banner: { js: REQUIRE_BANNER },
    plugins: [precompiledScenarioValidator],
    logLevel: "warning",
  });
}

/**
 * The scenario validator as ES module source: ajv's standalone code for the
 * schema under the options the source compiles it with, exporting
 * `scenarioValidator` as scenario-validator.ts does.
 */
export function scenarioValidatorSource(): string {
  const { ajv, validate } = compileScenarioSchema({ code: { source: true, esm: true } });
  return `${standaloneCode.default(ajv, validate)}\nexport function scenarioValidator() { return validate; }\n`;
}

/** Bundles the validator compiled now in place of scenario-validator.ts, which would compile it at each start. */
const precompiledScenarioValidator: Plugin = {
  name: "precompiled-scenario-validator",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]sim[\\/]scenario[\\/]scenario-validator\.ts$/ }, () => ({ contents: scenarioValidatorSource(), loader: "js", resolveDir: ROOT }));
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli(process.argv[2] ?? `${ROOT}dist/bin`);
