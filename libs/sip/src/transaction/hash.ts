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

/** Two hex digits per byte value: toString(16) of a number above 2^31 goes through V8's slow double-to-string path, on every stateless reply. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function toHex8(h: number): string {
  return HEX_BYTE[(h >>> 24) & 0xff]! + HEX_BYTE[(h >>> 16) & 0xff]! + HEX_BYTE[(h >>> 8) & 0xff]! + HEX_BYTE[h & 0xff]!;
}
