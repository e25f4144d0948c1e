import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/**
 * A UDP port the OS reports free on `host`, for programs that cannot be told
 * to bind port 0 and report it (Kamailio's `-l`, SIPp's `-p`: SIPp's own
 * default is 5060 and up). The port is released before it is returned, so
 * another process could take it in between; the caller's start-up probe
 * catches that.
 */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, host);
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
