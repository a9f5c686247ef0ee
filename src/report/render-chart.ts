/**
 * ECharts, rendered on the server to an SVG string: no DOM, no canvas, no
 * network. Every chart of a report goes through `renderChart`, so they share
 * one look (font, palette, grid) and all come out as inline-able SVG.
 */
// The single-file build: the package's main entry is about a thousand modules, which took
// Node ~0.5 s to resolve and load before the first chart (this one: ~0.1 s). Same library, same API.
import * as echarts from "echarts/dist/echarts.esm.min";

/** An ECharts option object (the library's own type). */
export type ChartOption = echarts.EChartsCoreOption;

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

/** Title, legend and grid placement shared by every report chart. */
export function frame(title: string, subtitle?: string): ChartOption {
  return {
    title: { text: title, subtext: subtitle ?? "", left: 10, top: 6, textStyle: { fontSize: 14 } },
    legend: { bottom: 4, left: "center", type: "scroll", itemGap: 18, textStyle: { fontSize: 11 } },
    grid: { left: 64, right: 24, top: 60, bottom: 76 },
  };
}

/** A value axis named `name`. */
export function valueAxis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "value", name, nameLocation: "middle", nameGap: 30, scale: false, ...extra };
}
