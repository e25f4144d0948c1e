import { isIP } from 'node:net';

/**
 * IP literals to and from their network bytes (4 for IPv4, 16 for IPv6),
 * for flow tokens and STUN addresses. Brackets are tolerated; an
 * IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is kept as IPv6.
 */
export function ipToBytes(ip: string): Uint8Array | undefined {
  let a = ip;
  if (a.charCodeAt(0) === 0x5b) a = a.slice(1, -1);
  const family = isIP(a);
  if (family === 4) return v4(a);
  if (family === 6) return v6(a);
  return undefined;
}

function v4(a: string): Uint8Array {
  const out = new Uint8Array(4);
  const parts = a.split('.');
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

function v6(a: string): Uint8Array {
  const out = new Uint8Array(16);
  let s = a;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted quad (`::ffff:1.2.3.4`) fills the last 32 bits.
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tail = v4(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const groups = (x: string) => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  for (let i = 0; i < 8; i++) {
    out[i * 2] = (words[i]! >> 8) & 0xff;
    out[i * 2 + 1] = words[i]! & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Bytes (4 or 16) back to the textual form Node uses (`1.2.3.4`, compressed IPv6). */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // RFC 5952 §4.2.3: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
