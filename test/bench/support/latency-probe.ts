import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export interface LatencyProbeResult {
  readonly sent: number;
  /** Round trips of the requests that got a final reply, in microseconds. */
  readonly rttUs: number[];
}

/**
 * Microsecond round trips of OPTIONS sent at a low fixed `rate` for
 * `durationMs`, to run beside a SIPp load: SIPp's `-trace_rtt` counts whole
 * milliseconds, and a server on loopback answers in far less. Each request
 * has its own Call-ID and branch; the reply is matched by Call-ID and timed
 * with the monotonic clock. A request without a reply `graceMs` after the
 * last send is left out (the count of those is `sent - rttUs.length`).
 */
export async function probeLatency(host: string, port: number, opts: { rate: number; durationMs: number; graceMs?: number }): Promise<LatencyProbeResult> {
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
  const send = () => {
    const id = `lp${sent}-${tag}`;
    const req = Buffer.from(
      `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${id};rport\r\n` +
        'Max-Forwards: 70\r\n' +
        `From: <sip:probe@${local.address}:${local.port}>;tag=${sent}\r\n` +
        `To: <sip:${host}:${port}>\r\n` +
        `Call-ID: ${id}\r\n` +
        'CSeq: 1 OPTIONS\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
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
