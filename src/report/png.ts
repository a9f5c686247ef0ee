/**
 * SVG charts as PNG images, rasterised by resvg (no browser). Each PNG
 * carries a text chunk naming vmm386 as its software (output-kinds.ts), so a
 * later run knows it may replace it.
 */
import { Resvg } from "@resvg/resvg-js";
import { PNG_SOFTWARE } from "./output-kinds.js";

/** PNG bytes of `svg`, scaled to `width` pixels wide (default: 2× for sharp text). */
export function svgToPng(svg: string, width?: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: width === undefined ? { mode: "zoom", value: 2 } : { mode: "width", value: width },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  return withTextChunk(resvg.render().asPng(), PNG_SOFTWARE);
}

/** Bytes of the PNG signature and the IHDR chunk that must follow it (4 length, 4 type, 13 data, 4 CRC). */
const AFTER_IHDR = 8 + 4 + 4 + 13 + 4;

/** The PNG with a tEXt chunk (`keyword\0text`, Latin-1) right after its header chunk. */
function withTextChunk(png: Buffer, text: string): Buffer {
  const data = Buffer.from(text, "latin1");
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write("tEXt", 4, "latin1");
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, AFTER_IHDR), chunk, png.subarray(AFTER_IHDR)]);
}

/** CRC-32 (ISO 3309, as PNG chunks use); Node 20.11 has no zlib.crc32. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}
