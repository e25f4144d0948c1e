import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** The WebSocket subprotocol registered for SIP (RFC 7118 §4.1, IANA "WebSocket Subprotocol Name Registry"). */
export const SIP_SUBPROTOCOL = 'sip';

/**
 * The offered subprotocol that names SIP, as the client spelled it, or null.
 *
 * RFC 7118 §4.1: the client "MUST include the value 'sip' in the
 * Sec-WebSocket-Protocol header field in its handshake request", and the
 * 101 reply "MUST contain 'sip'". Matched case-insensitively, echoed as sent
 * (ws requires the echoed value to be one of the offered ones).
 */
export function selectSipSubprotocol(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const values = Array.isArray(header) ? header.join(',') : header;
  for (const raw of values.split(',')) {
    const p = raw.trim();
    if (p.toLowerCase() === SIP_SUBPROTOCOL) return p;
  }
  return null;
}

/**
 * Refuse an upgrade before any 101 is sent.
 *
 * Without "sip" we cannot send the 101 RFC 7118 §4.1 requires, and
 * accepting then closing would leave the client guessing. RFC 6455 §4.2.1
 * tells the server that finds a handshake it cannot serve to "stop processing
 * the client's handshake and return an HTTP response with an appropriate
 * error code (such as 400 Bad Request)", so: 400, with the reason in the
 * body. 426 is kept for plain HTTP requests that did not ask to upgrade.
 */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  socket.on('error', () => {});
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body,
    );
  }
  // The HTTP server allows half-open sockets: do not wait for the client's FIN.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * A plain HTTP request on a SIP WebSocket port: 426 Upgrade Required
 * (RFC 9110 §15.5.22) naming the protocol to upgrade to.
 */
export function answerPlainHttp(_req: IncomingMessage, res: ServerResponse): void {
  const body = 'This is a SIP WebSocket endpoint (RFC 7118): connect with subprotocol "sip".\n';
  res.writeHead(426, {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
