import type { RelayPeer } from './relay-peer.js';

/**
 * One authenticated relay session: an AUTH's 200 handed out a Use-Path
 * with `id` as session-id, and the connection map (msrp_cmap_save) points
 * it at the client's connection until `expiresAt`.
 */
export interface MsrpSession {
  readonly id: string;
  /** The digest user name, or null when the relay runs without authentication. */
  readonly user: string | null;
  /** The Use-Path URI given to the client. */
  readonly uri: string;
  readonly peer: RelayPeer;
  readonly createdAt: number;
  expiresAt: number;
}

/** The admin API's and the dashboard's view of a session. */
export interface MsrpSessionView {
  id: string;
  user: string | null;
  uri: string;
  peer: string;
  transport: string;
  connectionId: number;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}
