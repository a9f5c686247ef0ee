/**
 * The views of the point shown, linked by the selection (a frame or a
 * slot): page tables, frames, TLB, swap, the fault log, the counters, the
 * policy's lists, the charts, the miss-ratio curves and inspect's object.
 */
import type { MrcResult } from "../../sim/mrc/curve.js";
import type { PlaygroundState } from "../protocol.js";
import type { TableChoices } from "../table-choice.js";
import { FaultLog } from "./FaultLog.js";
import { FrameMap } from "./FrameMap.js";
import { InspectJson } from "./InspectJson.js";
import { LiveCharts } from "./LiveCharts.js";
import { MrcView } from "./MrcView.js";
import { PageTableView } from "./PageTableView.js";
import { PolicyLists } from "./PolicyLists.js";
import type { Select, Selection } from "./selection.js";
import { SwapMap } from "./SwapMap.js";
import { TlbView } from "./TlbView.js";
import { VmStatView } from "./VmStatView.js";

export interface ViewsGridProps {
  readonly state: PlaygroundState;
  readonly selection: Selection;
  readonly onSelect: Select;
  readonly tables: TableChoices;
  onTables(choices: TableChoices): void;
  readonly mrc: MrcResult | null;
  readonly busy: boolean;
  onMrc(): void;
  /** The scenario file and the command line's options of the first lane, for the inspect command shown. */
  readonly file: string;
  readonly inspectOptions: readonly string[];
}

export function ViewsGrid(p: ViewsGridProps) {
  const { state, selection, onSelect } = p;
  const view = state.view;
  const names: Record<number, string> = {};
  for (const proc of view.processes) names[proc.pid] = proc.name;
  return (
    <div class="views">
      <PageTableView processes={view.processes} choices={p.tables} onChoices={p.onTables} selection={selection} onSelect={onSelect} />
      <FrameMap frames={view.frames} processes={view.processes} selection={selection} onSelect={onSelect} />
      <TlbView tlb={view.tlb} selection={selection} onSelect={onSelect} />
      <SwapMap swap={view.swap} processes={view.processes} selection={selection} onSelect={onSelect} />
      <FaultLog events={view.events} position={state.position} processes={view.processes} onSelect={onSelect} />
      <VmStatView stats={view.stats} />
      <PolicyLists lists={view.lists} />
      <LiveCharts samples={state.lanes[0].series} labels={names} />
      <MrcView result={p.mrc} busy={p.busy} onCompute={p.onMrc} />
      <InspectJson inspect={state.inspect} step={state.step} file={p.file} options={p.inspectOptions} />
    </div>
  );
}
