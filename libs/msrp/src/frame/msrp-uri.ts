/**
 * An MSRP URI (RFC 4975 §6, §9):
 *
 *   MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter )
 *   msrp-scheme = "msrp" / "msrps"
 *
 * authority may carry userinfo ("user@host:port"); an IPv6 host is in
 * brackets. RFC 7977 §8 adds the transport `ws`.
 */
export interface MsrpUri {
  scheme: 'msrp' | 'msrps';
  host: string;
  /** 0 when the URI has no port (RFC 4975 §6: 2855 is then assumed by who resolves it). */
  port: number;
  session: string;
  transport: string;
}

/** RFC 4975 §6.1: with no port given, the default MSRP port. */
export const MSRP_DEFAULT_PORT = 2855;

const URI = /^(msrps?):\/\/(?:[^@/;]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/;[\]]+)(?::(\d{1,5}))?(?:\/([^;]*))?;([A-Za-z0-9.-]+)(?:;.*)?$/i;

/** Parses one URI, or null when it is not an MSRP URI. */
export function parseMsrpUri(text: string): MsrpUri | null {
  const m = URI.exec(text);
  if (m === null) return null;
  const port = m[3] === undefined ? 0 : Number(m[3]);
  if (port > 65_535) return null;
  let host = m[2]!;
  if (host.startsWith('[')) host = host.slice(1, -1);
  return {
    scheme: m[1]!.toLowerCase() as 'msrp' | 'msrps',
    host: host.toLowerCase(),
    port,
    session: m[4] ?? '',
    transport: m[5]!.toLowerCase(),
  };
}

/** `host:port` with an IPv6 host in brackets, as URIs and logs show it. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The session-id part of a URI without parsing the rest (hot path): the text between the authority's "/" and ";". */
export function sessionOf(uri: string): string | null {
  const start = uri.indexOf('://');
  if (start < 0) return null;
  const slash = uri.indexOf('/', start + 3);
  if (slash < 0) return null;
  const semi = uri.indexOf(';', slash);
  if (semi < 0) return null;
  return uri.slice(slash + 1, semi);
}
