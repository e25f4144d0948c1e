import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { isIpv6, isWildcard, normalizeAddress } from './address.js';
import type { ListenSpec, Peer } from './types.js';

/** Kernel socket buffers asked for: a burst of REGISTERs must not be dropped by the kernel. */
export const UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export interface DatagramSink {
  datagram(data: Buffer, source: Peer): void;
  udpError(listener: UdpListener, err: Error): void;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram's address lookup, run on every send to an unconnected socket. Node's
 * default (dns.lookup) answers even an IP literal on the next tick, so each
 * datagram costs a deferred callback; every peer we send to is an address
 * already (from the packet's source or a resolved URI), answered here at once.
 * A host name still goes through the resolver.
 */
function literalLookup(address: string, family: number | LookupOneOptions, callback: LookupCallback): void {
  const kind = isIP(address);
  if (kind !== 0) callback(null, address, kind);
  else dnsLookup(address, family as LookupOneOptions, callback);
}

/** One UDP socket for one listen spec (RFC 3261 §18: each datagram is one message). */
export class UdpListener {
  readonly family: 4 | 6;
  readonly wildcard: boolean;
  socket: Socket | null = null;
  boundPort = 0;
  localAddress: string;

  constructor(
    readonly spec: ListenSpec,
    private readonly sink: DatagramSink,
  ) {
    this.family = isIpv6(spec.host) ? 6 : 4;
    this.wildcard = isWildcard(spec.host);
    this.localAddress = normalizeAddress(spec.host);
  }

  start(): Promise<void> {
    const socket = createSocket({ type: this.family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        this.socket = null;
        socket.close();
        reject(err);
      };
      socket.once('error', failed);
      socket.bind(this.spec.port, this.spec.host, () => {
        socket.off('error', failed);
        socket.on('error', (err) => this.sink.udpError(this, err));
        // Linux caps these at net.core.[rw]mem_max; other systems may refuse: either way, go on.
        try {
          socket.setRecvBufferSize(UDP_SOCKET_BUFFER_BYTES);
        } catch {
          /* tolerated */
        }
        try {
          socket.setSendBufferSize(UDP_SOCKET_BUFFER_BYTES);
        } catch {
          /* tolerated */
        }
        const addr = socket.address();
        this.boundPort = addr.port;
        this.localAddress = normalizeAddress(addr.address);
        const sink = this.sink;
        const v6 = this.family === 6;
        socket.on('message', (msg, rinfo) => {
          sink.datagram(msg, {
            transport: 'udp',
            address: v6 ? normalizeAddress(rinfo.address) : rinfo.address,
            port: rinfo.port,
            connectionId: 0,
            localAddress: this.localAddress,
            localPort: this.boundPort,
          });
        });
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
