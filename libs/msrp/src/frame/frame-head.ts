/**
 * The start line and headers of one MSRP frame (RFC 4975 §7, §9):
 *
 *   req-start  = pMSRP SP transact-id SP method CRLF
 *   resp-start = pMSRP SP transact-id SP status-code [SP comment] CRLF
 *
 * To-Path and From-Path are split eagerly (every frame is routed by them);
 * the other headers are kept as raw lines and looked up on demand, so a
 * relay forwards them byte for byte.
 */
export class FrameHead {
  /** The request method, or null for a response. */
  method: string | null = null;
  /** The response status, or 0 for a request. */
  status = 0;
  /** The response comment (reason phrase). */
  comment = '';
  toPath: string[] = [];
  fromPath: string[] = [];
  /** Header lines other than To-Path/From-Path, as received ("Name: value"). */
  readonly lines: string[] = [];
  /** True when a body (Content-Type, blank line, data) follows the headers. */
  hasBody = false;
  /** Why the frame is malformed though its framing held (the relay answers 400 at its end), or null. */
  invalid: string | null = null;

  constructor(readonly tid: string) {}

  get isRequest(): boolean {
    return this.method !== null;
  }

  /** The first value of a header other than the paths (case-insensitive name), or undefined. */
  get(name: string): string | undefined {
    const n = name.length;
    for (const l of this.lines) {
      if (l.length > n && l.charCodeAt(n) === 58 /* : */ && l.slice(0, n).toLowerCase() === name.toLowerCase()) {
        return l.slice(n + 1).trim();
      }
    }
    return undefined;
  }

  /** Every value of a header (Authorization may come more than once). */
  getAll(name: string): string[] {
    const n = name.length;
    const out: string[] = [];
    for (const l of this.lines) {
      if (l.length > n && l.charCodeAt(n) === 58 && l.slice(0, n).toLowerCase() === name.toLowerCase()) out.push(l.slice(n + 1).trim());
    }
    return out;
  }
}
