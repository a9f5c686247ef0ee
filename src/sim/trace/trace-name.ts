/** The name a trace goes by in titles and summaries: the last part of its path. */

/** The last part of a path, `/` or `\\` separated (no host path module: this runs in a browser too). */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}
