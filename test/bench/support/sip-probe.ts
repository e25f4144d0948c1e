import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export interface ProbeReply {
  /** The status line, e.g. `SIP/2.0 200 OK`. */
  readonly statusLine: string;
  readonly status: number;
  /** The whole reply as text. */
  readonly text: string;
}

/**
 * Sends an OPTIONS to the server itself (RFC 3261 11) over UDP, re-sending
 * every `intervalMs` until a final reply arrives or `timeoutMs` passes.
 * Serves as a start-up probe (the server is ready when it answers) and to
 * see whether a server answers OPTIONS at all. Resolves undefined on timeout.
 */
export async function probeOptions(host: string, port: number, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<ProbeReply | undefined> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const intervalMs = opts.intervalMs ?? 100;
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const local = sock.address();
  const callId = randomBytes(8).toString('hex');
  // One request, re-sent unchanged (same branch) like a client's retransmissions.
  const request = Buffer.from(
    `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${callId};rport\r\n` +
      'Max-Forwards: 70\r\n' +
      `From: <sip:probe@${local.address}:${local.port}>;tag=${callId.slice(0, 8)}\r\n` +
      `To: <sip:${host}:${port}>\r\n` +
      `Call-ID: ${callId}@probe\r\n` +
      'CSeq: 1 OPTIONS\r\n' +
      'Content-Length: 0\r\n\r\n',
  );
  try {
    return await new Promise<ProbeReply | undefined>((resolve) => {
      const send = () => sock.send(request, port, host);
      const resend = setInterval(send, intervalMs);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (r: ProbeReply | undefined) => {
        clearInterval(resend);
        clearTimeout(timer);
        resolve(r);
      };
      sock.on('message', (msg) => {
        const text = msg.toString('latin1');
        const statusLine = text.slice(0, text.indexOf('\r\n'));
        const m = /^SIP\/2\.0 (\d{3}) /.exec(statusLine);
        if (!m || !text.includes(callId)) return;
        const status = Number(m[1]);
        if (status >= 200) finish({ statusLine, status, text });
      });
      // Until the server binds, the kernel answers ICMP port unreachable; keep trying.
      sock.on('error', () => {});
      send();
    });
  } finally {
    sock.close();
  }
}
