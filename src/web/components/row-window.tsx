/**
 * A long table in a scroll box draws only the rows in the box's window, and
 * OVERSCAN more each side so that a short scroll shows drawn rows at once;
 * spacer rows keep the scroll height. Laying out and painting rows out of
 * sight was most of a jump's drawing. Rows are sized from one drawn row
 * when the box scrolls (the caller's guess until then). A box may be
 * reused for another table (its rows patched, not made again): a new
 * `identity` starts it at its top.
 */
import type { RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/** A wheel notch scrolls about 100 px, under three 38 px rows; each row more mounts ~25 nodes per table when the process switches (the slowest jumps). */
const OVERSCAN = 3;
/** The scroll box's height (the CSS max-height of `.pde` and `.rows-box`). */
const BOX_HEIGHT = 320;

export interface RowWindow {
  readonly box: RefObject<HTMLDivElement | null>;
  readonly onScroll: () => void;
  /** Rows [first, last) are drawn. */
  readonly first: number;
  readonly last: number;
  /** Heights of the spacers before and after them, in px. */
  readonly before: number;
  readonly after: number;
}

/**
 * The rows of `count` to draw in the box at its scroll position; `rowGuess`: a row's height in px until one is
 * measured; `identity`: what table the box shows.
 */
export function useRowWindow(count: number, rowGuess: number, identity = ""): RowWindow {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ identity, top: 0, row: rowGuess });
  const onScroll = () => {
    const row = box.current?.querySelector("tbody tr:not(.spacer)");
    setScroll({ identity, top: box.current?.scrollTop ?? 0, row: row?.getBoundingClientRect().height || rowGuess });
  };
  // Only a box scrolled is scrolled back (reading scrollTop would lay the page out in the middle of a jump).
  useLayoutEffect(() => {
    if (scroll.top === 0) return;
    if (box.current !== null) box.current.scrollTop = 0;
    setScroll((s) => ({ identity, top: 0, row: s.row }));
  }, [identity]);
  const top = scroll.identity === identity ? scroll.top : 0;
  const drawn = Math.ceil(BOX_HEIGHT / scroll.row) + 2 * OVERSCAN;
  const first = Math.max(0, Math.min(Math.floor(top / scroll.row) - OVERSCAN, count - drawn));
  const last = Math.min(count, first + drawn);
  return { box, onScroll, first, last, before: first * scroll.row, after: (count - last) * scroll.row };
}

/** An empty row `height` px high standing for rows not drawn (none if 0). */
export function Spacer(props: { height: number }) {
  return props.height > 0 ? <tr class="spacer" style={{ height: `${props.height}px` }} /> : null;
}
