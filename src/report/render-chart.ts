/**
 * ECharts, rendered on the server to an SVG string: no DOM, no canvas, no
 * network. Every chart of a report goes through `renderChart`, so they share
 * one look (font, palette, grid) and all come out as inline-able SVG.
 */
// The single-file build: the package's main entry is about a thousand modules, which took
// Node ~0.5 s to resolve and load before the first chart (this one: ~0.1 s). Same library, same API.
import * as echarts from "echarts/dist/echarts.esm.min";
import type { ChartOption } from "./chart-frame.js";

export { frame, valueAxis, type ChartOption } from "./chart-frame.js";

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 320;

const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";

/** The SVG of `option` drawn at width × height, animation off. */
export function renderChart(option: ChartOption, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, backgroundColor: "#ffffff", ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
