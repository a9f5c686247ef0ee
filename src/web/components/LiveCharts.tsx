/**
 * The run report's charts (report/run-charts.ts: the same ECharts options
 * the HTML report renders to SVG), drawn in the page from the samples
 * taken up to the current move, so they grow as the run plays and shrink
 * when it goes back. ECharts loads on first use, not with the page.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Sample, TimeSeries } from "../../sim/recorder.js";
import type { ChartOption } from "../../report/chart-frame.js";
import { faultsChart, residentChart, swapChart } from "../../report/run-charts.js";

type Echarts = typeof import("./echarts-core.js");
let loading: Promise<Echarts> | null = null;

function echartsLib(): Promise<Echarts> {
  loading ??= import("./echarts-core.js");
  return loading;
}

type Drawn = { setOption(o: ChartOption, opts: { notMerge?: boolean; replaceMerge?: string[] }): void; dispose(): void };

/**
 * One chart, drawn only while it is on screen (a jump redrew all three, ~70 ms on the loaded
 * machine, whether they were scrolled into view or not); one that comes into view draws the newest
 * option. After the first draw an option is merged, not rebuilt: series matched by name (their id),
 * series gone replaced, so axes, legend and title are kept and only the data's elements change.
 */
function Chart(props: { option: ChartOption; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Drawn | null>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (box.current === null) return;
    const watch = new IntersectionObserver((seen) => setVisible(seen.some((e) => e.isIntersecting)));
    watch.observe(box.current);
    return () => watch.disconnect();
  }, []);
  useEffect(() => {
    if (!visible) return;
    let alive = true;
    void echartsLib().then((lib) => {
      if (!alive || box.current === null) return;
      const first = chart.current === null;
      chart.current ??= lib.init(box.current);
      chart.current.setOption({ animation: false, ...withIds(props.option) }, first ? { notMerge: true } : { replaceMerge: ["series"] });
    });
    return () => {
      alive = false;
    };
  }, [props.option, visible]);
  useEffect(() => () => chart.current?.dispose(), []);
  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}

/** `option` with each series' name as its id, so that a merge matches series by name. */
function withIds(option: ChartOption): ChartOption {
  const series = option.series;
  if (!Array.isArray(series)) return option;
  return { ...option, series: series.map((s: { name?: string }, i: number) => ({ ...s, id: s.name ?? String(i) })) };
}

export function LiveCharts(props: { samples: readonly Sample[]; labels: Record<number, string> }) {
  // Samples come every few thousand accesses: redraw only when there is a new one (or one less).
  const key = `${props.samples.length}:${props.samples.at(-1)?.accesses ?? 0}:${Object.values(props.labels).join(",")}`;
  const options = useMemo(() => {
    const series: TimeSeries = { samples: [...props.samples], labels: props.labels };
    return [faultsChart(series), residentChart(series), swapChart(series)];
  }, [key]);
  return (
    <section class="panel" aria-labelledby="charts-title">
      <h2 id="charts-title">Charts</h2>
      <div class="charts">
        <Chart option={options[0]} label="faults by kind per interval" />
        <Chart option={options[1]} label="resident pages per process" />
        <Chart option={options[2]} label="swap usage" />
      </div>
    </section>
  );
}
