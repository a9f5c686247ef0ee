/** The single-file build of ECharts (render-chart.ts) has the types of the package's main entry. */
declare module "echarts/dist/echarts.esm.min" {
  export * from "echarts";
}
