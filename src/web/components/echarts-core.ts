/**
 * The parts of ECharts the live charts use (line and bar charts, their
 * axes, title, legend and tooltip), drawn to SVG like the reports.
 */
import { init as initChart, use } from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, SVGRenderer]);

export function init(element: HTMLElement) {
  return initChart(element, null, { renderer: "svg" });
}
