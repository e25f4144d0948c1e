import { createContext, useContext, useEffect, useRef } from 'react';
import type { ConnectionState, PbxEventMap, PbxEventName, PbxSocket } from './events';

export interface SocketState {
  socket: PbxSocket | null;
  state: ConnectionState;
  /** Why the link is down, when socket.io said so. */
  lastError: string | null;
}

export const SocketContext = createContext<SocketState>({ socket: null, state: 'offline', lastError: null });

export function useConnection(): SocketState {
  return useContext(SocketContext);
}

/** Runs `handler` for every `name` event while the calling component is mounted. */
export function useSocketEvent<K extends PbxEventName>(name: K, handler: (payload: PbxEventMap[K]) => void): void {
  const { socket } = useContext(SocketContext);
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!socket) return;
    // socket.io's typed `on` cannot relate a generic K to its listener type.
    const listener = ((payload: PbxEventMap[K]) => ref.current(payload)) as never;
    socket.on(name, listener);
    return () => {
      socket.off(name, listener);
    };
  }, [socket, name]);
}
