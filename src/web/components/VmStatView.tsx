/**
 * The counters: faults by how they were resolved, /proc/vmstat's, those
 * Linux has no name for, the TLB's, and /proc/pressure/memory's lines.
 */
import type { SystemStats } from "../../sim/system.js";
import { count } from "./format.js";

export function VmStatView(props: { stats: SystemStats }) {
  const s = props.stats;
  const groups: [string, object][] = [
    ["run", { accesses: s.accesses, references: s.references, ticks: s.ticks }],
    ["faults", s.faults],
    ["vmstat", s.vmstat],
    ["vmm386", s.vmm386],
    ["tlb", s.tlb],
    ["psi some", s.psi.some],
    ["psi full", s.psi.full],
  ];
  return (
    <section class="panel" aria-labelledby="vmstat-title">
      <h2 id="vmstat-title">Counters</h2>
      <div class="counters">
        {groups.map(([name, values]) => (
          <table key={name} class="counter-table" data-group={name}>
            <caption>{name}</caption>
            <tbody>
              {(Object.entries(values) as [string, number | boolean][]).map(([k, v]) => (
                <tr key={k} data-counter={`${name}.${k}`}>
                  <th scope="row">{k}</th>
                  <td>{typeof v === "number" ? count(v) : String(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </section>
  );
}
