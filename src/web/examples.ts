/**
 * The scenarios of examples/, bundled into the page at build time: the
 * menu offers every one, under the same file names the command line uses.
 */
const files = import.meta.glob("../../examples/*.yaml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export interface Example {
  /** "fork-cow" */
  readonly name: string;
  /** "examples/fork-cow.yaml", as `vmm386 run` names it in messages. */
  readonly file: string;
  readonly title: string;
  readonly text: string;
}

export const EXAMPLES: readonly Example[] = Object.entries(files)
  .map(([path, text]) => {
    const name = path.replace(/^.*\//, "").replace(/\.yaml$/, "");
    const title = /^name:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? name;
    return { name, file: `examples/${name}.yaml`, title, text };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
