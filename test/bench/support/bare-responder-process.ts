/**
 * The floor of any REGISTER server in one Node.js process: a UDP socket on
 * 127.0.0.1 (4 MiB buffers and no address lookup per send, as our listener
 * has) that answers each REGISTER with a 200 OK copying Via, From, To (with
 * a tag), Call-ID, CSeq and Contact — no parsing beyond finding those lines,
 * no transaction, no location store. register-load measures it beside
 * Kamailio and our server, so every run shows how much of the gap is Node's
 * own datagram round trip. Prints `port N` once bound; stops on SIGTERM.
 *
 * Run by support/bare-responder.ts: node bare-responder-process.js
 */
import { createSocket } from 'node:dgram';

/** Header lines a 200 to REGISTER copies (RFC 3261 §8.2.6.2, §10.3 step 8), full and compact names. */
const COPIED = new Set(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq', 'contact', 'm']);
const TO = new Set(['to', 't']);

function answer(text: string): string | undefined {
  if (!text.startsWith('REGISTER ')) return undefined;
  let out = 'SIP/2.0 200 OK\r\n';
  let i = text.indexOf('\r\n') + 2;
  while (i > 1 && i < text.length) {
    const end = text.indexOf('\r\n', i);
    if (end <= i) break;
    const colon = text.indexOf(':', i);
    if (colon > i && colon < end) {
      const name = text.slice(i, colon).trim().toLowerCase();
      if (COPIED.has(name)) out += TO.has(name) ? `${text.slice(i, end)};tag=bare\r\n` : `${text.slice(i, end)}\r\n`;
    }
    i = end + 2;
  }
  return `${out}Content-Length: 0\r\n\r\n`;
}

const socket = createSocket({
  type: 'udp4',
  // An IP literal answered at once (Node's default lookup defers it a tick).
  lookup: (address, _family, callback) => callback(null, address, 4),
});
socket.on('message', (msg, rinfo) => {
  const reply = answer(msg.toString('latin1'));
  if (reply !== undefined) socket.send(Buffer.from(reply, 'latin1'), rinfo.port, rinfo.address);
});
socket.bind(0, '127.0.0.1', () => {
  socket.setRecvBufferSize(4 * 1024 * 1024);
  socket.setSendBufferSize(4 * 1024 * 1024);
  process.stdout.write(`port ${socket.address().port}\n`);
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
