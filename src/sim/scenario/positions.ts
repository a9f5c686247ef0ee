/**
 * Maps a key path inside a parsed YAML document (["processes", 0, "steps", 3])
 * to the line it was written on, through the node ranges the yaml parser
 * records and its LineCounter. This is how schema and semantic errors name
 * `file:line`.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter } from "yaml";

export type KeyPath = readonly (string | number)[];

/** `processes[0].steps[3]` for ["processes", 0, "steps", 3]. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  return out === "" ? "(top level)" : out;
}

/** ["processes", 0] from the JSON pointer "/processes/0" (ajv's instancePath). */
export function parseJsonPointer(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * 1-based line of the deepest node of `path` that exists in the document;
 * a map entry is located by its key, so a nested block points at its key.
 * With `key`, the line of that key inside the node at `path`.
 */
export function lineOf(doc: Document, counter: LineCounter, path: KeyPath, key?: string): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  const segs = key === undefined ? path : [...path, key];
  for (const seg of segs) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return counter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}
