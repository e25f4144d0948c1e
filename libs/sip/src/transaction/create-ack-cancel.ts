import { parseMessage, SipRequest, type SipResponse } from '../message/index.js';

function build(method: string, orig: SipRequest, to: string, extra: string): SipRequest {
  // Values are copied as received text, so the Via, From, To and Route the
  // next hop compares are byte-identical to those of the original request.
  let text = `${method} ${orig.uri.toString()} SIP/2.0\r\nVia: ${orig.getList('Via')[0]}\r\n`;
  for (const r of orig.getAll('Route')) text += `Route: ${r}\r\n`;
  text +=
    `Max-Forwards: 70\r\n` +
    `From: ${orig.get('From')}\r\n` +
    `To: ${to}\r\n` +
    `Call-ID: ${orig.get('Call-ID')}\r\n` +
    `CSeq: ${orig.cseq().seq} ${method}\r\n` +
    extra +
    `Content-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok || r.message.kind !== 'request') throw new Error(`cannot build ${method}: ${r.ok ? 'not a request' : r.error.reason}`);
  return r.message;
}

/**
 * The ACK a client INVITE transaction sends for a 300-699 response
 * (RFC 3261 §17.1.1.3): Request-URI, Call-ID, From and CSeq number of the
 * INVITE, To of the response (with its tag), one Via equal to the INVITE's
 * top Via (so it matches the same server transaction), the INVITE's Route
 * headers.
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  return build('ACK', invite, response.get('To') ?? invite.get('To')!, '');
}

/**
 * A CANCEL for a request (RFC 3261 §9.1): Request-URI, Call-ID, To, From and
 * CSeq number of the request being cancelled, its top Via only, its Route
 * headers. `reason` adds an RFC 3326 Reason header (e.g.
 * `SIP;cause=200;text="Call completed elsewhere"`).
 */
export function createCancel(request: SipRequest, reason?: string): SipRequest {
  return build('CANCEL', request, request.get('To')!, reason ? `Reason: ${reason}\r\n` : '');
}
