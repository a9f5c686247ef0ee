/** Small formatting helpers the views share. */

/** 0x-prefixed, 8 hex digits. */
export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/** 0x-prefixed frame or slot number, 5 hex digits. */
export function hex5(n: number): string {
  return "0x" + n.toString(16).padStart(5, "0");
}

/** 1,234,567 */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
