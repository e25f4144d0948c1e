import type { Socket } from 'socket.io-client';
// The event map shared with the server; a type-only import, nothing of the
// server is bundled.
import type { PbxEventMap } from '../../../libs/core/src/events';

export type { PbxEventMap };
export type PbxEventName = keyof PbxEventMap;

/** socket.io's listener map derived from the shared event map. */
export type ServerToClientEvents = { [K in PbxEventName]: (payload: PbxEventMap[K]) => void };

export type PbxSocket = Socket<ServerToClientEvents, Record<string, never>>;

/**
 * connecting: first handshake in progress; connected: live events flow;
 * reconnecting: the link dropped and socket.io is retrying;
 * offline: given up (or not started).
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';
