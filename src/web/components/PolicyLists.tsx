/**
 * The replacement policy's own lists at this point, as
 * /sys/kernel/debug/lru_gen shows MGLRU's: the two-list LRU's inactive and
 * active lists, or MGLRU's generations (seq, age in ticks), each with its
 * pages and every process's share of them; nothing for a policy without
 * lists of its own (clock, fifo...).
 */
import type { PolicyView } from "../../sim/policy-view.js";
import { count } from "./format.js";

export function PolicyLists(props: { lists: PolicyView | null }) {
  const view = props.lists;
  if (view === null) return null;
  const pids = Object.keys(view.names).map(Number);
  const m = view.mglru;
  return (
    <section class="panel" aria-labelledby="lists-title" data-testid="policy-lists">
      <h2 id="lists-title">{m === undefined ? `${view.policy}: inactive and active lists` : "mglru: generations"}</h2>
      {m !== undefined && (
        <p class="muted">
          min_seq {m.minSeq} · max_seq {m.maxSeq} · tier {m.tierIndex} · {count(m.agings)} agings · {count(m.ttlRefusals)} refused by min_ttl
        </p>
      )}
      <table class="lists">
        <thead>
          <tr>
            <th scope="col">list</th>
            {m !== undefined && <th scope="col">age (ticks)</th>}
            <th scope="col">pages</th>
            {pids.map((pid) => (
              <th key={pid} scope="col">
                {view.names[pid]} ({pid})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {view.lists.map((l) => (
            <tr key={l.name} data-list={l.name}>
              <th scope="row">{l.seq === undefined ? l.name : `seq ${l.seq}`}</th>
              {m !== undefined && <td>{l.age ?? ""}</td>}
              <td>{count(l.pages)}</td>
              {pids.map((pid) => (
                <td key={pid}>{count(l.byProcess[pid] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
