/**
 * The shareable link: everything that makes the view — the run (an
 * example, a preset, a typed reference string, or the editor's text), the
 * policies and frame counts compared, the seed, the position and quiz mode — in the URL's fragment, so opening the
 * link reproduces the exact view (runs are deterministic). The fragment
 * never reaches a server.
 */

/** What the URL says. */
export interface ViewLink {
  /** "example:NAME", "preset:NAME", "refs:1,2,3", or "yaml:" + the text (base64url of UTF-8). */
  readonly source: string;
  readonly policies: readonly string[];
  /** The frame counts typed ("3,4"), or "". */
  readonly frames: string;
  readonly seed: number | null;
  readonly position: number;
  readonly quiz: boolean;
}

export function encodeLink(link: ViewLink): string {
  const params = new URLSearchParams();
  params.set("run", link.source);
  params.set("policies", link.policies.join(","));
  if (link.frames !== "") params.set("frames", link.frames);
  if (link.seed !== null) params.set("seed", String(link.seed));
  params.set("at", String(link.position));
  if (link.quiz) params.set("quiz", "1");
  return "#" + params.toString();
}

/** The link in `hash`, or null when it holds none. */
export function decodeLink(hash: string): ViewLink | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const source = params.get("run");
  if (source === null) return null;
  const seed = params.get("seed");
  return {
    source,
    policies: (params.get("policies") ?? "").split(",").filter((p) => p !== ""),
    frames: params.get("frames") ?? "",
    seed: seed === null || !/^\d+$/.test(seed) ? null : Number(seed),
    position: Math.max(0, Number(params.get("at") ?? 0) || 0),
    quiz: params.get("quiz") === "1",
  };
}

/** The editor's text as a link source. */
export function yamlSource(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return "yaml:" + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The text of a "yaml:" source. */
export function yamlText(source: string): string {
  const b64 = source.slice("yaml:".length).replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "===".slice((b64.length + 3) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
