/**
 * The miss-ratio-curve chart as an ECharts option, for the mrc report
 * (mrc.ts renders it to SVG) and the playground (drawn live).
 */
import { curveName, type MrcResult } from "../sim/mrc/curve.js";
import { frame, valueAxis, type ChartOption } from "./chart-frame.js";

/** Points drawn per curve at most. */
const CHART_POINTS = 600;

/** The curves as one chart: one line per curve, memory in frames on x, misses per reference on y. */
export function mrcChartOption(result: MrcResult): ChartOption {
  const sizes = result.curves.flatMap((c) => c.points.map((p) => p.size));
  const wide = sizes.length > 0 && Math.max(...sizes) / Math.max(1, Math.min(...sizes)) >= 16;
  return {
      ...frame("Miss-ratio curve", result.trace),
      tooltip: { show: false },
      xAxis: valueAxis("memory (page frames)", wide ? { type: "log", logBase: 2, min: "dataMin", max: "dataMax" } : { min: "dataMin", max: "dataMax" }),
      yAxis: valueAxis("miss ratio", { min: 0, nameGap: 44 }),
      series: result.curves.map((c) => ({
        name: curveName(c),
        type: "line",
        showSymbol: c.points.length <= 40,
        symbolSize: 5,
        lineStyle: { type: c.method === "exact" || c.method === "simulation" ? "solid" : "dashed" },
        data: thin(c.points.map((p) => [p.size, Math.round(p.missRatio * 1e6) / 1e6])),
      })),
  };
}

/** At most CHART_POINTS of `data`, evenly spread, first and last kept. */
export function thin<T>(data: T[]): T[] {
  if (data.length <= CHART_POINTS) return data;
  const step = (data.length - 1) / (CHART_POINTS - 1);
  return Array.from({ length: CHART_POINTS }, (_, i) => data[Math.round(i * step)]);
}
