/**
 * The run's miss-ratio curves: for each memory size, the share of page
 * references that miss under LRU and under OPT (exact, one pass each over
 * the run's reference string). Computed when asked: it runs the workload
 * once more in the worker.
 */
import { useEffect, useRef } from "preact/hooks";
import type { MrcResult } from "../../sim/mrc/curve.js";
import { mrcChartOption } from "../../report/mrc-chart.js";
import { count } from "./format.js";

export function MrcView(props: { result: MrcResult | null; busy: boolean; onCompute(): void }) {
  const box = useRef<HTMLDivElement>(null);
  const { result } = props;
  useEffect(() => {
    if (result === null || box.current === null) return;
    let chart: { setOption(o: object): void; dispose(): void } | null = null;
    void import("./echarts-core.js").then((lib) => {
      if (box.current === null) return;
      chart = lib.init(box.current);
      chart.setOption({ animation: false, ...mrcChartOption(result) });
    });
    return () => chart?.dispose();
  }, [result]);
  return (
    <section class="panel" aria-labelledby="mrc-title">
      <h2 id="mrc-title">Miss-ratio curve</h2>
      {result === null ? (
        <button type="button" onClick={props.onCompute} disabled={props.busy}>
          Compute the LRU and OPT curves of this run
        </button>
      ) : (
        <>
          <p class="muted" data-testid="mrc-summary">
            {count(result.references)} page references, {count(result.distinctPages)} distinct pages; at {Math.min(4, result.distinctPages)} frames LRU misses{" "}
            {count(result.curves[0].points[Math.min(4, result.distinctPages) - 1]?.misses ?? 0)}, OPT {count(result.curves[1].points[Math.min(4, result.distinctPages) - 1]?.misses ?? 0)}
          </p>
          <div class="chart" ref={box} role="img" aria-label="miss ratio by memory size, LRU and OPT" />
        </>
      )}
    </section>
  );
}
