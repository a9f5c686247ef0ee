/**
 * The playground's build: Vite serves (`npm run playground`) and bundles
 * (`npm run build:web`, a static site in dist-web/ with relative paths, so
 * any web server or GitHub Pages can host it) the page and its Web Worker.
 *
 * Host twins. The simulator is browser-safe except for a few host modules
 * (the swap image on a file, the schema read from disk...). Each has a
 * sibling `NAME.web.ts` exporting the same names for the browser (the swap
 * disk in memory, the schema bundled); this plugin resolves an import of
 * NAME.js to it, as package.json's "browser" field does for packages. The
 * kernel and everything else are the same files the CLI runs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Resolves `X.js` to `X.web.ts` where such a twin exists beside `X.ts`. */
function hostTwins(): Plugin {
  return {
    name: "vmm386-host-twins",
    enforce: "pre",
    async resolveId(source, importer, options) {
      // No module of Node's may reach the page: a host module without a twin is a build error, not a stub.
      if (source.startsWith("node:")) this.error(`${importer ?? "?"} imports ${source}: give its host module a .web.ts twin`);
      if (importer === undefined || !source.endsWith(".js") || !source.startsWith(".")) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null || !resolved.id.endsWith(".ts")) return null;
      const twin = resolved.id.replace(/\.ts$/, ".web.ts");
      return existsSync(twin) ? twin : null;
    },
  };
}

export default defineConfig({
  root,
  base: "./",
  plugins: [hostTwins()],
  worker: { format: "es", plugins: () => [hostTwins()] },
  resolve: { alias: { "@examples": `${repo}examples`, "@schema": `${repo}schema` } },
  server: { fs: { allow: [repo] } },
  build: { outDir: `${repo}dist-web`, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2048 },
});
