import { TOKEN } from '@pbx/sip';

/** One header line: name and value. */
export type HeaderLine = readonly [name: string, value: string];

/** True for an RFC 3261 §25.1 token, the syntax of a header field name. */
export function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || !TOKEN[c]) return false;
  }
  return true;
}

/**
 * Splits a block of header lines as Kamailio's parameters hold them
 * (`contact_hdr`, `content_type_hdr`, `extra_hdrs`, the stored extra_hdrs:
 * "Name: value\r\n" each). Accepts bare LF, a missing final CRLF, and the
 * two-character escapes `\r\n` of a single-quoted YAML string. Lines that are
 * not `name: value` with a token name are returned in `rejected` (never
 * sent: a header the peer cannot parse would cost the whole message).
 */
export function parseHeaderBlock(block: string): { lines: HeaderLine[]; rejected: string[] } {
  const lines: HeaderLine[] = [];
  const rejected: string[] = [];
  for (const raw of block.replace(/\\r\\n|\\n/g, '\n').split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const colon = raw.indexOf(':');
    const name = colon < 0 ? '' : raw.slice(0, colon).trim();
    if (!isHeaderName(name)) {
      rejected.push(raw);
      continue;
    }
    lines.push([name, raw.slice(colon + 1).trim()]);
  }
  return { lines, rejected };
}

/** The block form of header lines: "Name: value\r\n" each. */
export function formatHeaderBlock(lines: readonly HeaderLine[]): string {
  let out = '';
  for (const [n, v] of lines) out += `${n}: ${v}\r\n`;
  return out;
}
