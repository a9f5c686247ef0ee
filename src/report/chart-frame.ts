/**
 * The look every vmm386 chart shares (title, legend, grid, value axes), as
 * ECharts option pieces. No chart library is loaded here: reports render the
 * options to SVG on the host (render-chart.ts), the playground draws the
 * same options live in the page.
 */
import type { EChartsCoreOption } from "echarts";

/** An ECharts option object (the library's own type). */
export type ChartOption = EChartsCoreOption;

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
