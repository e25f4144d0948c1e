/**
 * FNV-1a, 32 bits, over the UTF-16 code units of strings (wire strings are
 * one byte per unit). Not cryptographic: it makes stable, well-spread tags
 * and branch components, where only retransmission stability and a low
 * chance of accidental collision matter.
 */
const FNV_OFFSET = 0x811c9dc5;

/** Feeds `s` into a running hash `h` (start with `fnvStart`). A separator unit keeps "ab"+"c" ≠ "a"+"bc". */
export function fnvAdd(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= 0x1f;
  return Math.imul(h, 0x01000193);
}

export const fnvStart = FNV_OFFSET;

/** Hash of several strings as 8 lower-case hex digits. */
export function fnvHex(...parts: string[]): string {
  let h = FNV_OFFSET;
  for (const p of parts) h = fnvAdd(h, p);
  return toHex8(h);
}

export function toHex8(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}
