import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export interface LatencyProbeResult {
  readonly sent: number;
  /** Round trips of the requests that got a final reply, in microseconds. */
  readonly rttUs: number[];
}

/** What a probe request is built from: its sequence number, Call-ID (also the branch suffix) and the probe's own socket. */
export interface ProbeRequestParts {
  readonly seq: number;
  readonly callId: string;
  readonly host: string;
  readonly port: number;
  readonly local: { readonly address: string; readonly port: number };
}

export interface LatencyProbeOptions {
  readonly rate: number;
  readonly durationMs: number;
  readonly graceMs?: number;
  /**
   * The request text (CRLF line ends, Call-ID `parts.callId`); default an
   * OPTIONS to the server itself. Any final reply (2xx–6xx) with that
   * Call-ID ends the round trip.
   */
  readonly request?: (parts: ProbeRequestParts) => string;
}

/** The default probe request: OPTIONS to the server itself (RFC 3261 11). */
export function optionsProbeRequest({ seq, callId, host, port, local }: ProbeRequestParts): string {
  return (
    `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${callId};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    `From: <sip:probe@${local.address}:${local.port}>;tag=${seq}\r\n` +
    `To: <sip:${host}:${port}>\r\n` +
    `Call-ID: ${callId}\r\n` +
    'CSeq: 1 OPTIONS\r\n' +
    'Content-Length: 0\r\n\r\n'
  );
}

/**
 * Microsecond round trips of requests (OPTIONS unless `opts.request` builds
 * another) sent at a low fixed `rate` for `durationMs`, to run beside a SIPp
 * load: SIPp's `-trace_rtt` counts whole milliseconds, and a server on
 * loopback answers in far less. Each request has its own Call-ID and branch;
 * the reply is matched by Call-ID and timed with the monotonic clock. A
 * request without a reply `graceMs` after the last send is left out (the
 * count of those is `sent - rttUs.length`).
 */
export async function probeLatency(host: string, port: number, opts: LatencyProbeOptions): Promise<LatencyProbeResult> {
  const sock = createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const local = sock.address();
  const pending = new Map<string, bigint>();
  const rttUs: number[] = [];
  sock.on('message', (msg) => {
    const now = process.hrtime.bigint();
    const text = msg.toString('latin1');
    const m = /\r\nCall-ID: *(\S+)\r\n/i.exec(text);
    const t0 = m ? pending.get(m[1]!) : undefined;
    if (t0 === undefined || !/^SIP\/2\.0 [2-6]\d\d /.test(text)) return;
    pending.delete(m![1]!);
    rttUs.push(Number(now - t0) / 1000);
  });
  sock.on('error', () => {});
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  let sent = 0;
  const build = opts.request ?? optionsProbeRequest;
  const send = () => {
    const id = `lp${sent}-${tag}`;
    const req = Buffer.from(build({ seq: sent, callId: id, host, port, local: { address: local.address, port: local.port } }));
    pending.set(id, process.hrtime.bigint());
    sent++;
    sock.send(req, port, host);
  };
  // Paced by a monotonic schedule rather than one timer per request, so timer drift does not change the rate.
  const total = Math.round((opts.rate * opts.durationMs) / 1000);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * opts.rate));
      while (sent < due) send();
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  if (pending.size > 0) await new Promise((r) => setTimeout(r, opts.graceMs ?? 500));
  sock.close();
  return { sent, rttUs };
}
