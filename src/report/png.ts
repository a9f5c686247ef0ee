/** SVG charts as PNG images, rasterised by resvg (no browser). */
import { Resvg } from "@resvg/resvg-js";

/** PNG bytes of `svg`, scaled to `width` pixels wide (default: 2× for sharp text). */
export function svgToPng(svg: string, width?: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: width === undefined ? { mode: "zoom", value: 2 } : { mode: "width", value: width },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  return resvg.render().asPng();
}
