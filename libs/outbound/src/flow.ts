import type { TransportName } from '@pbx/sip';
import { flowKey, type FlowAddress } from './flow-address.js';

/** What a REGISTER that went over the flow said about it (RFC 5626 §4.2: instance + reg-id name a flow). */
export interface FlowBinding {
  aor: string;
  instance: string | null;
  regId: number | null;
}

/**
 * One flow the edge carries (RFC 5626 §5): where it goes, what registered
 * over it, and its traffic. Plain numbers, bumped on the per-packet path.
 */
export class Flow implements FlowAddress {
  readonly id: string;
  readonly transport: TransportName;
  readonly localAddress: string;
  readonly localPort: number;
  readonly address: string;
  readonly port: number;
  readonly connectionId: number;
  binding: FlowBinding | null = null;
  lastSeenAt: number;
  /** Epoch ms of the last STUN or CRLF keep-alive (0: none yet). */
  lastKeepAliveAt = 0;
  keepAlives = 0;
  requestsIn = 0;
  requestsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Past its Flow-Timer without traffic (reported once until traffic resumes). */
  silent = false;
  closed = false;
  /** The flow's token, minted once (it depends only on the address and the key). */
  token: string | undefined = undefined;

  constructor(addr: FlowAddress, readonly openedAt: number) {
    this.id = flowKey(addr);
    this.transport = addr.transport;
    this.localAddress = addr.localAddress;
    this.localPort = addr.localPort;
    this.address = addr.address;
    this.port = addr.port;
    this.connectionId = addr.connectionId;
    this.lastSeenAt = openedAt;
  }

  get stream(): boolean {
    return this.transport !== 'udp';
  }
}
