/**
 * The files vmm386 writes for people — HTML reports, SVG and PNG charts —
 * each carry a mark saying so, so that a later run may replace its own
 * earlier output and refuses to replace anything else (a README, a
 * photograph) unless told to with --force (output-file.ts).
 */
import type { OutputKind } from "../sim/output-file.js";

/** The generator named in every HTML report's head. */
export const HTML_GENERATOR = '<meta name="generator" content="vmm386">';

/** The first line of every exported SVG chart. */
export const SVG_MARK = "<!-- generator: vmm386 -->";

/** The PNG text chunk (keyword "Software") in every exported PNG chart. */
export const PNG_SOFTWARE = "Software\0vmm386";

export const HTML_REPORT: OutputKind = {
  noun: "vmm386 HTML report",
  // Reports made before the generator mark end their title with "— vmm386".
  recognise: (head) => {
    const text = head.toString("utf8");
    return text.includes(HTML_GENERATOR) || /<title>[^<]*— vmm386<\/title>/.test(text);
  },
};

export const SVG_CHART: OutputKind = { noun: "vmm386 SVG chart", recognise: (head) => head.toString("utf8").startsWith(SVG_MARK) };

export const PNG_CHART: OutputKind = { noun: "vmm386 PNG chart", recognise: (head) => head.includes(PNG_SOFTWARE, 0, "latin1") };

/** The SVG chart with its mark (a comment before the root element, which SVG readers skip). */
export function markSvg(svg: string): string {
  return `${SVG_MARK}\n${svg}`;
}
