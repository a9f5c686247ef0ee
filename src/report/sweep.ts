/**
 * A sweep's miss-ratio curve (the sweep's result: src/sim/sweep/sweep.ts):
 * one line per policy, memory on x, misses per reference on y.
 */
import type { SweepResult } from "../sim/sweep/sweep.js";
import { frame, renderChart, valueAxis } from "./render-chart.js";

/** Axis title for a sweep axis. */
export function sweepAxisName(axis: SweepResult["axis"]): string {
  return axis === "userFrames" ? "user frames" : "RAM (MiB)";
}

/** The miss-ratio curve of every policy, as SVG. */
export function missRatioChart(sweep: SweepResult, width?: number, height?: number): string {
  const x = (size: number): number => (sweep.axis === "ram" ? size / (1024 * 1024) : size);
  const xs = sweep.sizes.map(x);
  const wide = xs.length > 0 && Math.max(...xs) / Math.min(...xs) >= 8;
  return renderChart(
    {
      ...frame("Miss-ratio curve", sweep.source),
      tooltip: { show: false },
      // Sizes that double call for a log axis, so each step gets the same room.
      xAxis: valueAxis(sweepAxisName(sweep.axis), wide ? { type: "log", logBase: 2, min: "dataMin", max: "dataMax" } : { min: "dataMin", max: "dataMax" }),
      yAxis: valueAxis("miss ratio", { min: 0, nameGap: 44 }),
      series: sweep.policies.map((policy) => ({
        name: policy,
        type: "line",
        symbolSize: 5,
        data: sweep.points
          .filter((p) => p.policy === policy)
          .sort((a, b) => a.size - b.size)
          .map((p) => [x(p.size), Math.round(p.missRatio * 1e6) / 1e6]),
      })),
    },
    width,
    height,
  );
}
