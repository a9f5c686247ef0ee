/** Small formatting helpers the views share. */

/** 0x-prefixed, 8 hex digits. */
export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/** 0x-prefixed frame or slot number, 5 hex digits. */
export function hex5(n: number): string {
  return "0x" + n.toString(16).padStart(5, "0");
}

/** toLocaleString("en-US")'s digits; one formatter kept, as toLocaleString builds one at each call (the counters make ~80 a jump). */
const GROUPED = new Intl.NumberFormat("en-US");

/** 1,234,567 */
export function count(n: number): string {
  return GROUPED.format(n);
}
