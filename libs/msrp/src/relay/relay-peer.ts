import type { FrameHead } from '../frame/frame-head.js';
import { MsrpFramer } from '../frame/msrp-framer.js';
import type { MsrpSession } from './msrp-session.js';
import type { RelayLink } from './relay-link.js';

/** A request this relay forwarded and whose response it waits for (on the link it was sent on). */
export interface PendingTransaction {
  /** Where the request came from. */
  readonly source: RelayPeer;
  /** 'send': SEND/REPORT (hop-by-hop; a failure becomes a REPORT); 'auth': AUTH to a further relay (the response goes back). */
  readonly kind: 'send' | 'auth';
  /** The request's From-Path as received, and its first To-Path URI (this relay). */
  readonly fromPath: string[];
  readonly self: string;
  readonly messageId: string | undefined;
  readonly byteRange: string | undefined;
  /** Failure-Report value (RFC 4975 §7.1.2): 'yes' or 'partial' (no pending is kept for 'no'). */
  readonly failureReport: string;
  readonly at: number;
}

/**
 * What to do with the rest of the frame being read on a link, decided when
 * its head arrived: stream it to another link, answer it at its end, or
 * drop it.
 */
export type FrameAction =
  | { kind: 'forward'; dest: RelayPeer; head: FrameHead }
  | { kind: 'reply'; head: FrameHead; status: number; comment: string; extra: string }
  | { kind: 'auth'; head: FrameHead }
  | { kind: 'drop' };

/** The relay's state for one connection. */
export class RelayPeer {
  readonly framer: MsrpFramer;
  action: FrameAction = { kind: 'drop' };
  readonly sessions = new Set<MsrpSession>();
  /** Forwarded requests awaiting a response on this link, by transaction id (insertion order = age). */
  readonly pending = new Map<string, PendingTransaction>();
  /** Sources paused because this link's buffer is full. */
  readonly waiting = new Set<RelayPeer>();
  /** For links the relay opened itself: the `scheme://host:port` key they are reused by. */
  outboundKey: string | null = null;
  /** True while queued in the relay's flush list. */
  dirty = false;
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;

  constructor(readonly link: RelayLink, framer: (peer: RelayPeer) => MsrpFramer) {
    this.framer = framer(this);
  }

  /** The URI scheme of this link: msrps only when the link itself is encrypted. */
  get scheme(): 'msrp' | 'msrps' {
    return this.link.transport === 'tls' || this.link.transport === 'wss' ? 'msrps' : 'msrp';
  }

  /** The transport parameter of URIs for this link (RFC 4975 `tcp`, RFC 7977 `ws`). */
  get uriTransport(): 'tcp' | 'ws' {
    return this.link.transport === 'ws' || this.link.transport === 'wss' ? 'ws' : 'tcp';
  }
}
