/**
 * The methods this appliance meets (RFC 3261 §7.1 and extensions: 3262
 * PRACK, 3265/6665 SUBSCRIBE NOTIFY, 3311 UPDATE, 3428 MESSAGE, 3515 REFER,
 * 3903 PUBLISH, 6086 INFO). Method names are case-sensitive (§7.1), so a
 * match is byte-exact; a known method yields a shared constant string
 * instead of a fresh copy per message.
 */
const KNOWN = ['ACK', 'BYE', 'INFO', 'INVITE', 'CANCEL', 'NOTIFY', 'UPDATE', 'PRACK', 'REFER', 'MESSAGE', 'OPTIONS', 'PUBLISH', 'REGISTER', 'SUBSCRIBE'];

/** Candidates by length (methods are 3..9 bytes), with their bytes. */
const BY_LEN: string[][] = Array.from({ length: 10 }, () => []);
const BYTES_BY_LEN: Uint8Array[][] = Array.from({ length: 10 }, () => []);
for (const m of KNOWN) {
  BY_LEN[m.length]!.push(m);
  BYTES_BY_LEN[m.length]!.push(Buffer.from(m, 'latin1'));
}

/** The method token b[a,e) (also s[a,e)) as a string: a shared constant for known methods. */
export function methodAt(b: Uint8Array, s: string, a: number, e: number): string {
  const len = e - a;
  if (len < 10) {
    const cands = BYTES_BY_LEN[len]!;
    for (let k = 0; k < cands.length; k++) {
      const m = cands[k]!;
      let i = 0;
      while (i < len && b[a + i] === m[i]) i++;
      if (i === len) return BY_LEN[len]![k]!;
    }
  }
  return s.slice(a, e);
}
